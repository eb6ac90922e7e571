"""`govsite check` through the real CLI entry point (click runner); monitor: tests/cli/test_monitor.py."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from aiohttp import web
from click.testing import CliRunner

from govsite.cli import main
from tests.engine.sitekit import HOST, Site


class ThreadedSite:
    """A sitekit site on its own event loop thread, so the synchronous CLI can reach it."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)

        async def start() -> None:
            self.runner = web.AppRunner(self.site.app())
            await self.runner.setup()
            s = web.TCPSite(self.runner, "127.0.0.1", 0)
            await s.start()
            self.site.port = s._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.ready.set()

        self.loop.run_until_complete(start())
        self.loop.run_forever()

    def __enter__(self) -> Site:
        self.thread.start()
        self.ready.wait(10)
        return self.site

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def site():
    with ThreadedSite(Site(missing_footer={"icp"})) as s:
        yield s


def test_check_writes_report_json_and_html(site, tmp_path):
    out, html = tmp_path / "r.json", tmp_path / "r.html"
    res = CliRunner().invoke(main, [
        "check", f"{site.base()}/", "--name", site.name, "--code", site.code, "--category", "县级政府门户",
        "--official-name", site.name, "--as-of", "2017-09-14", "--json", str(out), "--html", str(html),
        "--resolve", f"{HOST}:{site.port}:127.0.0.1", "--allow-private", "--no-external", "-q",
    ])
    assert res.exit_code == 0, res.output
    rep = json.loads(out.read_text(encoding="utf-8"))
    assert rep["site"] == {"url": f"{site.base()}/", "name": site.name, "code": site.code, "category": 6}
    assert rep["verdict"] == "pass"
    assert "G-ID-1" in res.output and "ICP备案编号" in res.output  # terminal summary lists problems
    page = html.read_text(encoding="utf-8")
    assert "结论：合格" in page and "ICP备案编号" in page and site.base() in page


def test_check_refuses_private_without_flag(site):
    res = CliRunner().invoke(main, ["check", f"{site.base()}/", "--resolve", f"{HOST}:{site.port}:127.0.0.1"])
    assert res.exit_code == 2 and "--allow-private" in res.output and "Traceback" not in res.output
    res2 = CliRunner().invoke(main, ["check", "http://127.0.0.1:9/"])
    assert res2.exit_code == 2 and "内网" in res2.output


@pytest.mark.parametrize("args,needle", [
    (["check", "http://www.a.gov.cn/", "--as-of", "2017-13-45"], "--as-of"),
    (["check", "http://www.a.gov.cn/", "--resolve", "bad"], "--resolve"),
    (["check", "notaurl"], "网址无效"),
    (["check", "http://www.a.gov.cn/", "--ruleset", "RS1999"], "RS1999"),
    (["check", "http://www.a.gov.cn/", "--category", "省长"], "类别"),
    (["check", "http://www.a.gov.cn/", "--probe-log", "/nonexistent/log"], "探测日志"),
    (["check"], "--sites"),
])
def test_bad_input_is_a_clear_error(args, needle):
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2 and needle in res.output and "Traceback" not in res.output


def test_sites_file_checks_many(site, tmp_path):
    sites = tmp_path / "sites.json"
    sites.write_text(json.dumps({"sites": [
        {"url": f"{site.base()}/", "name": site.name, "code": site.code, "category": "县级政府门户"},
        {"url": f"{site.base()}/index.html", "name": site.name, "code": "9999999999"},
    ]}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "all.json"
    res = CliRunner().invoke(main, ["check", "--sites", str(sites), "--as-of", "2017-09-14", "--json", str(out),
                                    "--html", str(tmp_path / "html"), "--resolve", f"{HOST}:{site.port}:127.0.0.1",
                                    "--allow-private", "--no-external", "-q"])
    assert res.exit_code == 0, res.output
    reps = json.loads(out.read_text(encoding="utf-8"))
    assert len(reps) == 2
    g2 = [next(i for i in r["indicators"] if i["id"] == "G-ID-2")["status"] for r in reps]
    assert g2 == ["ok", "deduct"]
    assert (tmp_path / "html" / "index.html").exists() and "共 2 个网站" in res.output


def _run(site, tmp_path, *extra):  # noqa: ANN001, ANN202
    out = tmp_path / "r.json"
    res = CliRunner().invoke(main, ["check", f"{site.base()}/", "--name", site.name, "--code", site.code,
                                    "--as-of", "2017-09-14", "--json", str(out), "--resolve",
                                    f"{HOST}:{site.port}:127.0.0.1", "--allow-private", "--no-external", "-q", *extra])
    assert res.exit_code == 0, res.output
    rep = json.loads(out.read_text(encoding="utf-8"))
    return res, {i["id"]: i for i in rep["indicators"]}


def test_whitelist_file_silences_a_confirmed_false_positive(tmp_path):
    with ThreadedSite(Site(extra_home_html="<p>会议认真传达学习了习近乎同志重要讲话精神。</p>")) as s:
        _res, ind = _run(s, tmp_path)
        assert ind["V15-4"]["status"] == "veto"
        white = tmp_path / "white.txt"
        white.write_text("# 已确认的误报\n习近乎\t传达学习\n", encoding="utf-8")
        _res, ind = _run(s, tmp_path, "--whitelist", str(white))
        assert ind["V15-4"]["status"] == "ok"


def test_baseline_is_stored_then_compared(site, tmp_path):
    base = tmp_path / "baseline.json"
    res, ind = _run(site, tmp_path, "--baseline", str(base))
    assert base.exists() and "已建立首页基线" in ind["G-SEC-1"]["summary"]
    assert "基线" in res.output
    _res, ind = _run(site, tmp_path, "--baseline", str(base))
    assert "无明显变化" in ind["G-SEC-1"]["summary"]


def test_search_is_reported(site, tmp_path):
    _res, ind = _run(site, tmp_path)
    assert ind["G-FUN-6"]["status"] == "ok" and ind["G-FUN-6"]["evidence"][0]["count"] >= 1
    _res, ind = _run(site, tmp_path, "--no-search")
    assert ind["G-FUN-6"]["status"] == "na"


@pytest.mark.parametrize("args,needle", [
    (["--whitelist", "/nonexistent/white.txt"], "白名单文件不存在"),
    (["--baseline", "/nonexistent/dir/b.json"], "目录不存在"),
])
def test_bad_whitelist_or_baseline_is_a_clear_error(args, needle):
    res = CliRunner().invoke(main, ["check", "http://www.a.gov.cn/", *args])
    assert res.exit_code == 2 and needle in res.output and "Traceback" not in res.output


def test_bad_baseline_file_is_refused_before_checking(tmp_path):
    bad = tmp_path / "b.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    res = CliRunner().invoke(main, ["check", "http://www.a.gov.cn/", "--baseline", str(bad)])
    assert res.exit_code == 2 and "不是 govsite 基线" in res.output and bad.read_text(encoding="utf-8") == "[1, 2]"


def test_render_without_chromium_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("GOVSITE_CHROMIUM", "/nonexistent/chromium")
    res = CliRunner().invoke(main, ["check", "http://www.a.gov.cn/", "--render"])
    assert res.exit_code == 2 and "Chromium" in res.output and "Traceback" not in res.output


@pytest.mark.slow
def test_render_attaches_screenshots(tmp_path):
    with ThreadedSite(Site(jiucuo="none")) as s:
        _res, ind = _run(s, tmp_path, "--render")
    assert ind["G-ID-4"]["status"] == "deduct"
    assert ind["G-ID-4"]["evidence"][0]["screenshot"].startswith("data:image/jpeg;base64,")


def test_sites_file_may_carry_a_whitelist_per_site(tmp_path):
    from govsite.cli.check import _load_sites

    p = tmp_path / "sites.json"
    p.write_text(json.dumps([{"url": "http://www.a.gov.cn/", "whitelist": ["习近乎\t传达学习"]},
                             {"url": "http://www.b.gov.cn/", "whitelist": "攻府;共合国"},
                             {"url": "http://www.c.gov.cn/"}], ensure_ascii=False), encoding="utf-8")
    assert [s["whitelist"] for s in _load_sites(str(p))] == [["习近乎\t传达学习"], ["攻府", "共合国"], []]
