"""V15-1 / D15-1 from a probe log: shares, rounding, window, short series, bad logs."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest

from govsite.engine.indicators.availability import CST, Probe, ProbeLogError, availability, read_log
from govsite.engine.rulesets import load_ruleset

URL = "http://www.a.gov.cn/"
RS = load_ruleset("RS2015")


def _probes(n: int, failed: int, start: datetime = datetime(2017, 9, 7, tzinfo=CST)) -> list[Probe]:
    step = timedelta(days=7) / n
    return [Probe(start + i * step, URL, i >= failed, 200 if i >= failed else 503, 0.2, None if i >= failed else "http_503")
            for i in range(n)]


def test_veto_at_five_percent_and_deduction_below():
    v, d = availability(RS, _probes(140, 7), URL, date(2017, 9, 14))  # exactly 5 %
    assert v.status == "veto" and d.status == "ok"
    v, d = availability(RS, _probes(140, 6), URL, date(2017, 9, 14))  # 4.29 % → floor 4 → −20
    assert v.status == "ok" and d.status == "deduct" and d.points == -20
    assert any("探测失败" in e["detail"] for e in d.evidence)
    v, d = availability(RS, _probes(2016, 20), URL, date(2017, 9, 14))  # 0.99 % → 0
    assert v.status == "ok" and d.status == "ok"


def test_window_and_other_urls_are_ignored():
    old = _probes(140, 140, start=datetime(2017, 6, 1, tzinfo=CST))  # all failed, months before as-of
    other = [Probe(p.t, "http://www.b.gov.cn/", False, None, 15, "timeout") for p in _probes(140, 0)]
    v, d = availability(RS, old + _probes(140, 0) + other, URL, date(2017, 9, 14))
    assert v.status == "ok" and d.status == "ok" and "共探测 140 次" in v.summary


def test_short_series_failures_leave_the_verdict_open():
    v, d = availability(RS, _probes(3, 1), URL, date(2017, 9, 14), short_series=True)
    assert v.status == d.status == "error" and "一周" in v.summary
    v, d = availability(RS, _probes(3, 0), URL, date(2017, 9, 14), short_series=True)
    assert v.status == "ok" and "短时探测" in v.summary
    v, _ = availability(RS, [], URL, date(2017, 9, 14))
    assert v.status == "error"


def test_log_round_trip_and_bad_logs(tmp_path):
    log = tmp_path / "p.jsonl"
    log.write_text("\n".join(json.dumps(p.to_json()) for p in _probes(20, 2)) + "\n", encoding="utf-8")
    assert len(read_log(log)) == 20
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"t": "yesterday", "url": "x", "ok": true}\n', encoding="utf-8")
    with pytest.raises(ProbeLogError, match="第 1 行"):
        read_log(bad)
    with pytest.raises(ProbeLogError):
        read_log(tmp_path / "missing.jsonl")
