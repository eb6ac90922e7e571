import datetime as dt
import json
import secrets

import pytest
from click.testing import CliRunner
from django.utils import timezone

from govsite.cli import main
from govsite.feedback import intake
from govsite.feedback.models import CalendarDay, CalendarYear, Message
from govsite.feedback.workflow import act

pytestmark = pytest.mark.django_db


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(main, list(args))


def test_add_workdays_prints_the_date(db):
    r = run("calendar", "add-workdays", "2024-09-30", "3")
    assert r.exit_code == 0 and r.output.strip() == "2024-10-10"


@pytest.mark.parametrize("args, words", [
    (["2024-02-30", "1"], "日期无效"),
    (["--", "2024-10-01", "-1"], "不能为负数"),
    (["2099-03-02", "1"], "2099年的法定节假日安排不在日历中"),
])
def test_add_workdays_bad_input(db, args, words):
    r = run("calendar", "add-workdays", *args)
    assert r.exit_code == 2 and words in r.output


def test_import_year_then_used(db, tmp_path):
    f = tmp_path / "2099.txt"
    f.write_text("# 国务院办公厅 2099 年安排\n2099-01-01,holiday,元旦\n2099-01-02,holiday,元旦\n"
                 "2099-01-04,workday,调休上班\n", encoding="utf-8")
    r = run("calendar", "import-year", str(f), "--source", "测试")
    assert r.exit_code == 0 and "2 个放假日，1 个调休上班日" in r.output
    assert CalendarDay.objects.get(date=dt.date(2099, 1, 1)).name == "元旦"
    r = run("calendar", "add-workdays", "2098-12-31", "1")
    assert r.exit_code == 0, r.output
    # 2098 is not covered either: the start day itself is not checked, the next day is 2099-01-01.
    assert r.output.strip() == "2099-01-04"
    again = run("calendar", "import-year", str(f))
    assert again.exit_code == 2 and "--replace" in again.output
    assert run("calendar", "import-year", str(f), "--replace").exit_code == 0
    assert CalendarYear.objects.count() == 1 and CalendarDay.objects.count() == 3


def test_import_year_bad_file_changes_nothing(db, tmp_path):
    f = tmp_path / "bad.txt"
    f.write_text("2099-01-01,holiday\n2099-02-30,holiday\n", encoding="utf-8")
    r = run("calendar", "import-year", str(f))
    assert r.exit_code == 2 and "第2行日期无效" in r.output
    assert run("calendar", "import-year", str(tmp_path / "missing.txt")).exit_code == 2
    assert CalendarYear.objects.count() == 0


def test_metrics_and_remind(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tz = timezone.get_current_timezone()
    msg = intake.submit(intake.Submission(site=world.dept_site, page_url="https://www.mfa.gov.cn/a", category=1,
                                          description="栏目长期不更新，最近一条是去年的", contact="",
                                          nonce=secrets.token_urlsafe(18), ip=None))
    act(msg, world.users["ops"], "screen_valid")
    Message.objects.update(created_at=dt.datetime(2024, 9, 30, 9, tzinfo=tz),
                           screened_at=dt.datetime(2024, 9, 30, 10, tzinfo=tz))
    r = run("feedback", "metrics", "--quarter", "2024Q3", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    (unit,) = data["units"]
    assert unit["unit_name"] == "外交部" and unit["valid"] == 1 and unit["closed_rate"] == 0 and unit["flagged"]
    table = run("feedback", "metrics", "--from", "2024-07-01", "--to", "2024-09-30")
    assert "办结率低于70%的单位（1个）：外交部" in table.output
    assert run("feedback", "metrics", "--quarter", "2024Q5").exit_code == 2
    assert run("feedback", "metrics", "--from", "2024-09-30", "--to", "2024-07-01").exit_code == 2
    rem = run("feedback", "remind", "--today", "2024-10-11")
    assert rem.exit_code == 0 and "超期留言 1 条" in rem.output
