"""`govsite registry import-hosts` and `registry discover` against a live farm with extra hosts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from govsite.cli import main
from govsite.farm import extras
from govsite.registry.models import DiscoveredHost, ImportedHost, Site
from tests.registry.farmkit import register, small_farm


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def world():
    farm = small_farm(40, seed=21)
    gov = [i for i in farm.identities if i.host.endswith(".gov.cn")]
    withheld = {gov[3].host, gov[17].host}
    ex = extras.plan(farm, counterfeits=4, aliases=1, noise=2, skip=withheld)
    srv = extras.serve_in_thread(farm, ex)
    yield farm, ex, withheld, srv
    srv.stop()


@pytest.mark.django_db
def test_import_hosts_rejects_junk_and_keeps_registry_unchanged(tmp_path):
    bad = tmp_path / "hosts.txt"
    bad.write_text("www.a.gov.cn\n这不是域名\nhttp://b.gov.cn/x\nmailto:x@y.cn\n", encoding="utf-8")
    result = run("registry", "import-hosts", str(bad))
    assert result.exit_code == 2
    assert "第 2 行" in result.stderr and "第 4 行" in result.stderr and "未作任何修改" in result.stderr
    assert not ImportedHost.objects.exists()
    good = tmp_path / "good.txt"
    good.write_text("# 清单\nwww.a.gov.cn\nhttp://b.gov.cn/x\n东丰.政务\n", encoding="gb18030")
    result = run("registry", "import-hosts", str(good), "--actor", "张三")
    assert result.exit_code == 0, result.output
    assert set(ImportedHost.objects.values_list("host", flat=True)) == {"www.a.gov.cn", "b.gov.cn", "东丰.政务".encode("idna").decode()}
    assert run("registry", "import-hosts", str(good)).exit_code == 0  # idempotent
    assert ImportedHost.objects.count() == 3
    assert run("registry", "import-hosts", str(tmp_path / "none.txt")).exit_code == 2
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n", encoding="utf-8")
    assert run("registry", "import-hosts", str(empty)).exit_code == 2


@pytest.mark.slow
@pytest.mark.django_db
def test_discover_lists_unregistered_per_region_and_counterfeits(world, tmp_path):
    farm, ex, withheld, srv = world
    for ident in farm.identities:
        if ident.host not in withheld:
            register(ident)
    lst = tmp_path / "hosts.txt"
    lst.write_text("\n".join([*withheld, *(c["host"] for c in ex.counterfeits), *ex.noise,
                              ex.gov_aliases[0]["display"]]) + "\n", encoding="utf-8")
    assert run("registry", "import-hosts", str(lst)).exit_code == 0
    before = list(Site.objects.order_by("code").values_list("code", "status", "migration_state"))
    result = run("registry", "discover", "--farm", str(srv.port), "--max-pages", "3", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    kinds = {f["host"]: f["kind"] for f in data["findings"]}
    assert {h: kinds.get(h) for h in withheld} == {h: "unregistered" for h in withheld}
    assert kinds[ex.gov_aliases[0]["host"]] == "unregistered"
    assert {c["host"] for c in ex.counterfeits} == {h for h, k in kinds.items() if k == "counterfeit"}
    registered = {i.host for i in farm.identities} - withheld
    assert not registered & set(kinds)
    # Stored with evidence, the region from the footer code, the copied site linked.
    for h in withheld:
        row = DiscoveredHost.objects.get(host=h)
        ident = farm.by_host[h]
        assert row.region is not None and ident.division.startswith(row.region.code.rstrip("0")[:4])
        assert row.footer_code == ident.code and row.title
    for c in ex.counterfeits:
        row = DiscoveredHost.objects.get(host=c["host"])
        assert row.matched_site.code == farm.by_host[c["copies"]].code
    assert list(Site.objects.order_by("code").values_list("code", "status", "migration_state")) == before
    text = run("registry", "discover", "--farm", str(srv.port), "--max-pages", "3")
    assert text.exit_code == 0 and "未报送网站" in text.output and "疑似仿冒网站" in text.output
    assert DiscoveredHost.objects.count() == len(kinds)  # a second run updates, never duplicates


@pytest.mark.parametrize("command", ["discover", "migration", "watch-closed", "import-hosts"])
def test_help(command):
    result = run("registry", command, "--help")
    assert result.exit_code == 0 and "Usage" in result.output
