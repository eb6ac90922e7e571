"""`govsite registry …` end to end through the click entry point."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from govsite.cli import main
from govsite.registry.models import Site, SiteChange
from tests.registry.conftest import city_dept_row, row, write_csv


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.mark.parametrize("command", ["import", "export", "lint", "stats", "generate"])
def test_help(command):
    result = run("registry", command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.output or "用法" in result.output


@pytest.mark.django_db
def test_import_export_and_bad_file(tmp_path):
    good = write_csv(tmp_path / "good.csv", [row(), city_dept_row()])
    result = run("registry", "import", str(good), "--dry-run")
    assert result.exit_code == 0 and "新增 2" in result.output and "未写入" in result.output
    assert not Site.objects.exists() and not SiteChange.objects.exists()
    result = run("registry", "import", str(good), "--actor", "王五")
    assert result.exit_code == 0, result.output
    assert "新增 2" in result.output
    assert set(SiteChange.objects.values_list("actor", flat=True)) == {"王五"}

    bad = write_csv(tmp_path / "bad.csv", [row(**{"网站标识码": "12345"}), city_dept_row(**{"类别": "9"})])
    result = run("registry", "import", str(bad))
    assert result.exit_code == 2
    assert "第2行，网站标识码" in result.stderr and "第3行，类别" in result.stderr
    assert "数据库未作任何修改" in result.stderr
    assert "Traceback" not in result.output

    out = tmp_path / "out.xlsx"
    assert run("registry", "export", str(out)).exit_code == 0
    result = run("registry", "import", str(out))
    assert result.exit_code == 0 and "新增 0，修改 0，未变 2" in result.output


@pytest.mark.django_db
def test_user_errors(tmp_path):
    assert run("registry", "import", str(tmp_path / "missing.csv")).exit_code == 2
    (tmp_path / "x.doc").write_text("x")
    result = run("registry", "import", str(tmp_path / "x.doc"))
    assert result.exit_code == 2 and "不支持的文件类型" in result.stderr
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = run("registry", "import", str(empty))
    assert result.exit_code == 2 and "文件为空" in result.stderr
    big = write_csv(tmp_path / "big.csv", [row()])
    with open(big, "a") as f:
        f.write("#" * (2 * 1024 * 1024))
    result = run("registry", "import", str(big), "--max-mb", "1")
    assert result.exit_code == 2 and "文件过大" in result.stderr
    assert run("registry", "generate", "--no-db").exit_code == 2
    assert run("registry", "lint", "--rule", "G-XXX").exit_code == 2
    assert not Site.objects.exists()


@pytest.mark.django_db
def test_stats_and_lint_output(small_registry):
    result = run("registry", "stats")
    assert result.exit_code == 0
    assert "县级政府门户" in result.output and "附件2" in result.output and "新疆生产建设兵团" in result.output
    data = json.loads(run("registry", "stats", "--json").output)
    assert data["total"] == len(small_registry.records)
    lint = json.loads(run("registry", "lint", "--json").output)
    assert lint["count"] == len(lint["findings"]) > 0
    assert {"code", "name", "rule", "detail"} <= set(lint["findings"][0])
    only = json.loads(run("registry", "lint", "--json", "--rule", "G-OPEN-2").output)
    assert only["count"] > 0 and {f["rule"] for f in only["findings"]} == {"G-OPEN-2"}


@pytest.mark.slow
@pytest.mark.django_db
def test_generate_2017q3_then_stats(tmp_path):
    out = tmp_path / "registry.csv"
    result = run("registry", "generate", "--like", "2017Q3", "--seed", "2017", "--out", str(out))
    assert result.exit_code == 0, result.output
    data = json.loads(run("registry", "stats", "--json").output)
    assert data["total"] == 29431
    assert [c["count"] for c in data["by_category"]] == [1972, 32, 2501, 531, 15219, 2770, 6406]
    # Generating again with the same seed changes nothing; the written file imports as a no-op.
    again = run("registry", "generate", "--like", "2017Q3", "--seed", "2017")
    assert "新增 0，修改 0" in again.output
    assert "新增 0，修改 0" in run("registry", "import", str(out)).output
    assert SiteChange.objects.count() == 29431
