"""Rule set loading/validation and the scoring engine, with the addendum's regression fixtures."""

from datetime import date, datetime

import pytest

from govsite.engine.rulesets import RuleSetError, load_ruleset
from govsite.engine.scoring import Finding, deduction, score, window_start


@pytest.fixture(scope="module")
def rs():
    return load_ruleset("RS2015")


def _complete(rs, extra):
    """Every required observation present and ok, plus the given findings."""
    have = {f.id for f in extra}
    return extra + [Finding(r.id, "ok") for r in rs.indicators.values() if r.required and r.id not in have]


def test_every_value_carries_confidence(rs):
    assert rs.setting("pass_mark") == 60
    assert rs.rule("D15-4").params["points_news"].conf == "C"
    assert rs.rule("D15-1").params["rounding"].conf == "U"
    assert rs.rule("D15-4").get("points_notice_policy") == 4 and rs.rule("D15-4").get("points_personnel_plan") == 5
    assert rs.rule("D15-10").get("points") == 3 and rs.rule("D15-8").get("points_missing_category") == 2
    assert rs.rule("D15-6").get("points_few") == 3


def test_fixture_zhejiawang_28_3(rs):
    # 浙价网: 13 other-page links → 1.3; 27 attachments → 27; nothing else.
    d2 = deduction(rs.rule("D15-2"), {"home": 0, "other": 13})
    d9 = deduction(rs.rule("D15-9"), {"not_downloadable": 27})
    res = score(rs, _complete(rs, [Finding("D15-2", "deduct", -d2), Finding("D15-9", "deduct", -d9)]))
    assert res["deducted"] == 28.3 and res["score"] == 71.7 and res["verdict"] == "pass"


def test_fixture_jiaxing_52_4(rs):
    f = [
        Finding("D15-2", "deduct", -deduction(rs.rule("D15-2"), {"other": 24})),
        Finding("D15-3", "deduct", -deduction(rs.rule("D15-3"), {"once": 1})),
        Finding("D15-4", "deduct", -deduction(rs.rule("D15-4"), {"news": 3, "notice_policy": 3})),
        Finding("D15-5", "deduct", -deduction(rs.rule("D15-5"), {"missing": 1})),
        Finding("D15-6", "deduct", -deduction(rs.rule("D15-6"), {"missing": 1})),
        Finding("D15-7", "ok", -deduction(rs.rule("D15-7"), {"missing": 1})),
        Finding("D15-8", "deduct", -deduction(rs.rule("D15-8"), {"missing_category": 1})),
        Finding("D15-9", "deduct", -deduction(rs.rule("D15-9"), {"not_downloadable": 12})),
    ]
    res = score(rs, _complete(rs, f))
    assert res["deducted"] == 52.4 and res["score"] == 47.6 and res["verdict"] == "fail"


def test_fixture_hangzhou_veto(rs):
    f = [Finding("V15-5", "veto"), Finding("D15-2", "deduct", -1.3), Finding("D15-4", "deduct", -3),
         Finding("D15-6", "deduct", -5), Finding("D15-9", "deduct", -1)]
    res = score(rs, _complete(rs, f))
    assert res["verdict"] == "fail" and res["vetoes"] == ["V15-5"] and res["score"] == 0.0


def test_pass_mark_boundary_floor_and_incomplete(rs):
    assert score(rs, _complete(rs, [Finding("D15-9", "deduct", -40)]))["verdict"] == "pass"  # 60 passes
    assert score(rs, _complete(rs, [Finding("D15-9", "deduct", -40.1)]))["verdict"] == "fail"
    assert score(rs, _complete(rs, [Finding("D15-9", "deduct", -250)]))["score"] == 0.0
    partial = [f for f in _complete(rs, []) if f.id != "D15-2"]
    res = score(rs, partial)
    assert res["verdict"] == "incomplete" and res["missing"] == ["D15-2"]
    errored = _complete(rs, [Finding("V15-1", "error")])
    assert score(rs, errored)["verdict"] == "incomplete"
    # an observed veto is definitive even when another observation is missing
    assert score(rs, [Finding("V15-2", "veto")])["verdict"] == "fail"
    # guideline findings never change the score
    assert score(rs, _complete(rs, [Finding("G-ID-1", "deduct", -5)]))["score"] == 100


def test_d15_1_floor_rounding_and_caps(rs):
    assert deduction(rs.rule("D15-1"), {"pct": 2.4}) == 10
    assert deduction(rs.rule("D15-1"), {"pct": 0.9}) == 0


def test_calendar_windows(rs):
    assert window_start(rs, "notice", datetime(2017, 8, 31, 12)) == date(2017, 2, 28)
    assert window_start(rs, "news", date(2017, 3, 1)) == date(2017, 2, 15)
    assert window_start(rs, "personnel", date(2016, 2, 29)) == date(2015, 2, 28)


BAD = {
    "no_head": '[[indicator]]\nid="X"\nname="x"\nkind="veto"\n',
    "bad_conf": '[ruleset]\nid="R"\nstart_score={value=100,conf="C"}\npass_mark={value=60,conf="Q"}\n',
    "bad_kind": '[ruleset]\nid="R"\nstart_score={value=100,conf="C"}\npass_mark={value=60,conf="C"}\n[[indicator]]\nid="X"\nname="x"\nkind="weird"\n',
    "negative": '[ruleset]\nid="R"\nstart_score={value=100,conf="C"}\npass_mark={value=60,conf="C"}\n[[indicator]]\nid="X"\nname="x"\nkind="deduct"\npoints={value=-1,conf="C"}\n',
    "bare_value": '[ruleset]\nid="R"\nstart_score=100\npass_mark={value=60,conf="C"}\n',
    "syntax": '[ruleset\nid=',
    "bad_window": '[ruleset]\nid="R"\nstart_score={value=100,conf="C"}\npass_mark={value=60,conf="C"}\n[windows]\nx={value={fortnights=1},conf="C"}\n',
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_ruleset_files_are_rejected_clearly(tmp_path, name):
    p = tmp_path / f"{name}.toml"
    p.write_text(BAD[name], encoding="utf-8")
    with pytest.raises(RuleSetError) as ei:
        load_ruleset(str(p))
    assert p.name in str(ei.value)


def test_unknown_ruleset_name():
    with pytest.raises(RuleSetError, match="RS2015"):
        load_ruleset("RS1999")
