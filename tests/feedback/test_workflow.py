import datetime as dt
import secrets

import pytest
from django.core import mail
from django.utils import timezone

from govsite.feedback import intake
from govsite.feedback.metrics import totals, unit_metrics
from govsite.feedback.models import Message, Status, Transition, status_label
from govsite.feedback.workdays import CalendarNotCovered, WorkCalendar
from govsite.feedback.workflow import (
    WorkflowError,
    act,
    allowed_steps,
    closed_on_time,
    handle_due,
    messages_in_scope,
    remind_overdue,
    transfer_due,
)

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()
CAL = WorkCalendar()


def at(y, m, d, h=10):  # noqa: ANN001, ANN201
    return dt.datetime(y, m, d, h, tzinfo=TZ)


def new_message(site, text="首页的政策文件链接打不开，提示404错误", category=0, url=None) -> Message:  # noqa: ANN001
    return intake.submit(intake.Submission(site=site, page_url=url or site.home_url + "zwgk/", category=category,
                                           description=text, contact="", nonce=secrets.token_urlsafe(18), ip=None))


def test_routing_to_province_or_department(world):
    assert new_message(world.th_site).office_region == world.gd
    m = new_message(world.dept_site)
    assert m.office_department == world.dept and m.office_region is None
    assert m.office_name == "外交部"


def test_full_path_records_every_step(world):
    u = world.users
    msg = new_message(world.th_site)
    act(msg, u["ops"], "screen_valid", reason="问题属实")
    msg.refresh_from_db()
    assert msg.status == Status.TRANSFERRED
    assert msg.label_for("national_ops") == "已转办" and msg.label_for("regional_admin") == "待转办"
    act(msg, u["gd_admin"], "forward")
    act(msg, u["th_operator"], "reply", reply="已修复链接", reason="已修复链接")
    act(msg, u["gd_admin"], "first_reject", reason="答复过于简单")
    act(msg, u["th_operator"], "reply", reason="已修复链接并检查全站同类链接")
    act(msg, u["gd_admin"], "first_pass")
    act(msg, u["ops"], "final_return_rereview", reason="请复核")
    act(msg, u["gd_admin"], "first_pass")
    msg = act(msg, u["ops"], "final_close", published_text="经核实，链接已修复。")
    assert msg.status == Status.CLOSED and msg.published and msg.closed_at is not None
    assert msg.published_text == "经核实，链接已修复。"
    steps = list(Transition.objects.filter(message=msg).values_list("action", "from_status", "to_status",
                                                                      "actor_name", "actor_role"))
    assert [s[0] for s in steps] == ["submit", "screen_valid", "forward", "reply", "first_reject", "reply",
                                     "first_pass", "final_return_rereview", "first_pass", "final_close"]
    assert steps[1][1:] == (-1, 16, "ops", "national_ops")
    assert steps[4][1:] == (5, 6, "gd_admin", "regional_admin")
    assert Transition.objects.get(message=msg, action="first_reject").reason == "答复过于简单"


@pytest.mark.parametrize("action, who_ok, who_not", [
    ("screen_valid", ["ops", "nadmin"], ["gd_admin", "dept_admin", "th_operator", "inspector", "gz_admin"]),
])
def test_screening_only_by_national_team(world, action, who_ok, who_not):
    for name in who_not:
        msg = new_message(world.th_site, text=f"{secrets.token_hex(12)} 测试留言")
        with pytest.raises(WorkflowError, match="无权"):
            act(msg, world.users[name], action)
        assert Message.objects.get(pk=msg.pk).status == Status.UNHANDLED
    for name in who_ok:
        msg = new_message(world.th_site, text=f"{secrets.token_hex(12)} 测试留言")
        act(msg, world.users[name], action)


def test_each_role_only_in_its_scope(world):
    u = world.users
    msg = new_message(world.th_site)
    act(msg, u["ops"], "screen_valid")
    # Forwarding: only the province office the message is routed to (not the city office below it,
    # not another province, not a department, not the operator, not the inspector).
    for name in ("gz_admin", "hb_admin", "dept_admin", "th_operator", "inspector", "gz_operator"):
        with pytest.raises(WorkflowError):
            act(msg, u[name], "forward")
    act(msg, u["gd_admin"], "forward")
    # Replying: only the operator of this very site.
    for name in ("gz_operator", "dept_operator", "gd_admin", "ops", "inspector"):
        with pytest.raises(WorkflowError):
            act(msg, u[name], "reply", reason="x")
    act(msg, u["th_operator"], "reply", reason="已处理")
    # Final review before first review is a wrong-status error.
    with pytest.raises(WorkflowError, match="当前状态"):
        act(msg, u["ops"], "final_close")
    # Department messages: the department office, not another department.
    dm = new_message(world.dept_site)
    act(dm, u["nadmin"], "screen_valid_unpublished")
    with pytest.raises(WorkflowError):
        act(dm, u["dept2_admin"], "forward")
    act(dm, u["dept_admin"], "forward_offline", reason="电话联系网民")
    assert Message.objects.get(pk=dm.pk).status == Status.OFFLINE


def test_reason_required_and_reject_kind_checked(world):
    u = world.users
    msg = new_message(world.gz_site)
    with pytest.raises(WorkflowError, match="原因"):
        act(msg, u["ops"], "screen_reject", target=Status.REJECTED_UNTRUE)
    with pytest.raises(WorkflowError, match="类型"):
        act(msg, u["ops"], "screen_reject", reason="不属实", target=Status.CLOSED)
    act(msg, u["ops"], "screen_reject", reason="经核实页面正常", target=Status.REJECTED_UNTRUE)
    msg.refresh_from_db()
    assert msg.status == 11 and msg.reject_reason == "经核实页面正常"
    assert allowed_steps(u["ops"], msg) == []  # terminal


def test_visibility_of_messages(world):
    th = new_message(world.th_site)
    hb = new_message(world.hb_site)
    dm = new_message(world.dept_site)
    u = world.users
    assert set(messages_in_scope(u["ops"])) == {th, hb, dm}
    assert set(messages_in_scope(u["gd_admin"])) == {th}
    assert set(messages_in_scope(u["dept_admin"])) == {dm}
    assert set(messages_in_scope(u["th_operator"])) == {th}
    assert set(messages_in_scope(u["gz_operator"])) == set()
    assert set(messages_in_scope(u["inspector"])) == {th}


def test_status_labels_verbatim():
    assert status_label(12) == "不予受理（不在普查范围）"
    assert status_label(2) == "不予受理(无效)"
    assert status_label(14) == "已转办（未曝光但已经受理）"
    assert status_label(16, "national_ops") == "已转办"
    assert status_label(16, None) == "已转办"
    assert status_label(16, "department_admin") == "待转办"
    assert status_label(-1) == "未处理" and status_label(15) == "未曝光已办结"


def test_duplicate_detected_on_submit(world):
    first = new_message(world.gz_site, text="首页“政策解读”栏目链接打不开。")
    dup = new_message(world.gz_site, text="首页 “政策解读” 栏目链接打不开！")
    other = new_message(world.gz_site, text="办事指南中的电话号码已经停用，无法打通")
    assert dup.status == Status.DUPLICATE and dup.duplicate_of == first
    assert other.status == Status.UNHANDLED and first.status == Status.UNHANDLED
    assert Transition.objects.filter(message=dup, action="screen_duplicate", actor_name="系统").exists()


def _close_message(world, created, screened, replied, closed, site=None):  # noqa: ANN001, ANN202
    u = world.users
    site = site or world.th_site
    msg = new_message(site, text=f"问题描述 {secrets.token_hex(8)} 页面无法访问")
    act(msg, u["ops"], "screen_valid")
    act(msg, u["gd_admin" if site != world.dept_site else "dept_admin"], "forward")
    op = {world.th_site: "th_operator", world.gz_site: "gz_operator", world.dept_site: "dept_operator"}[site]
    act(msg, u[op], "reply", reason="已处理")
    act(msg, u["gd_admin" if site != world.dept_site else "dept_admin"], "first_pass")
    act(msg, u["ops"], "final_close_unpublished")
    Message.objects.filter(pk=msg.pk).update(created_at=created, screened_at=screened, replied_at=replied,
                                             closed_at=closed)
    msg.refresh_from_db()
    return msg


def test_deadlines_and_on_time(world):
    # Transferred Mon 2024-09-30: 3 working days across National Day end on Thu 2024-10-10.
    m = _close_message(world, at(2024, 9, 30, 9), at(2024, 9, 30, 15), at(2024, 10, 10, 18), at(2024, 10, 11))
    assert transfer_due(m, CAL) == dt.date(2024, 10, 8)
    assert handle_due(m, CAL) == dt.date(2024, 10, 10)
    assert closed_on_time(m, CAL)
    late = _close_message(world, at(2024, 9, 30, 9), at(2024, 9, 30, 15), at(2024, 10, 11, 9), at(2024, 10, 11))
    assert not closed_on_time(late, CAL)


def test_metrics_exclude_invalid_and_flag_units(world):
    u = world.users
    # 广东省: 2 valid (1 on time, 1 late), 1 rejected (excluded).
    _close_message(world, at(2024, 9, 30, 9), at(2024, 9, 30, 15), at(2024, 10, 8), at(2024, 10, 9))
    _close_message(world, at(2024, 9, 30, 9), at(2024, 9, 30, 15), at(2024, 10, 14), at(2024, 10, 15))
    rej = new_message(world.gz_site, text="这是一条无关的广告内容测试")
    act(rej, u["ops"], "screen_reject", target=Status.REJECTED_INVALID, reason="无效")
    # 外交部: 1 closed on time, 3 still open → 25 % closed, flagged.
    _close_message(world, at(2024, 9, 30, 9), at(2024, 9, 30, 15), at(2024, 10, 8), at(2024, 10, 8),
                   site=world.dept_site)
    for _ in range(3):
        m = new_message(world.dept_site, text=f"{secrets.token_hex(12)} 信息长期不更新")
        act(m, u["ops"], "screen_valid")
    Message.objects.update(created_at=at(2024, 9, 30, 9))
    Message.objects.filter(screened_at__gt=at(2024, 11, 1)).update(screened_at=at(2024, 9, 30, 15))
    rows = {r.unit_name: r for r in unit_metrics(dt.date(2024, 7, 1), dt.date(2024, 9, 30), CAL)}
    gd, mfa = rows["广东省"], rows["外交部"]
    assert (gd.received, gd.excluded, gd.valid, gd.closed, gd.closed_on_time) == (3, 1, 2, 2, 1)
    assert gd.closed_rate == 1.0 and gd.on_time_rate == 0.5 and not gd.flagged and not gd.all_on_time
    # Handling days: 09-30 → 10-09 is 2 working days; 09-30 → 10-15 is 7 (Sat 10-12 worked).
    assert gd.avg_handling_workdays == pytest.approx(4.5)
    assert (mfa.valid, mfa.closed, mfa.closed_on_time) == (4, 1, 1)
    assert mfa.closed_rate == 0.25 and mfa.flagged
    t = totals(list(rows.values()))
    assert (t.valid, t.closed) == (6, 3)
    # Outside the period: nothing.
    assert unit_metrics(dt.date(2024, 10, 1), dt.date(2024, 12, 31), CAL) == []


def test_all_on_time_unit(world):
    _close_message(world, at(2024, 9, 30, 9), at(2024, 9, 30, 15), at(2024, 10, 8), at(2024, 10, 9))
    (row,) = unit_metrics(dt.date(2024, 9, 1), dt.date(2024, 9, 30), CAL)
    assert row.all_on_time and row.on_time_rate == 1.0


def test_overdue_flag_and_reminder_mail(world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    u = world.users
    unscreened = new_message(world.gz_site, text="首页的联系电话是空号，无法联系")
    waiting_owner = new_message(world.th_site, text="政务公开栏目年报未按时发布")
    act(waiting_owner, u["ops"], "screen_valid")
    act(waiting_owner, u["gd_admin"], "forward")
    fresh = new_message(world.hb_site, text="湖北省门户首页图片无法显示")
    Message.objects.filter(pk__in=[unscreened.pk, waiting_owner.pk]).update(
        created_at=at(2024, 9, 30, 9), screened_at=at(2024, 9, 30, 15))
    Message.objects.filter(pk=unscreened.pk).update(screened_at=None)
    Message.objects.filter(pk=fresh.pk).update(created_at=at(2024, 10, 10, 9))
    report = remind_overdue(today=dt.date(2024, 10, 11), cal=CAL)
    assert (report.overdue, report.newly_flagged, report.emails) == (2, 2, 2)
    assert {tuple(m.to) for m in mail.outbox} == {("ops@example.gov.cn",), ("th_operator@example.gov.cn",)}
    assert all("超期" in m.subject for m in mail.outbox)
    assert set(Message.objects.filter(overdue=True).values_list("pk", flat=True)) == {unscreened.pk, waiting_owner.pk}
    # Same day again: still overdue, but no second e-mail.
    again = remind_overdue(today=dt.date(2024, 10, 11), cal=CAL)
    assert (again.overdue, again.newly_flagged, again.emails) == (2, 0, 0)
    assert len(mail.outbox) == 2


def test_reminder_refuses_uncovered_year(world):
    m = new_message(world.gz_site, text="首页的联系电话是空号，无法联系")
    Message.objects.filter(pk=m.pk).update(created_at=at(2099, 3, 2))
    with pytest.raises(CalendarNotCovered):
        remind_overdue(today=dt.date(2099, 3, 10), cal=CAL)
