"""Stored availability probes: per-day totals, bounded raw probes, operator alerts after N
failures in a row (once per streak), and any window read back for V15-1 / D15-1."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from govsite.engine.indicators.availability import CST, Probe, availability
from govsite.engine.rulesets import load_ruleset as get_ruleset
from govsite.registry import availability as store
from govsite.registry.availability_models import AvailabilityDay, AvailabilityProbe, AvailabilityState

URL = "http://www.dongfeng.gov.cn/"


def _site(code: str = "2204210001"):  # noqa: ANN202
    from govsite.registry.models import Organization, Region, Site

    region = Region.objects.get(code="220000")
    org = Organization.objects.create(name=f"主办{code}", region=region)
    return Site.objects.create(code=code, name="东丰县人民政府", home_url=URL, category=6, site_class="portal",
                               level="county", region=region, sponsor=org)


def _probe(t: datetime, ok: bool = True, error: str | None = None) -> Probe:
    return Probe(t, URL, ok, 200 if ok else None, 0.25, None if ok else (error or "connect"))


def _operator(site, email: str = "ops@dongfeng.gov.cn"):  # noqa: ANN001, ANN202
    from django.contrib.auth import get_user_model

    from govsite.accounts.models import Membership, Role

    user = get_user_model().objects.create_user(f"op{site.pk}-{email}", email=email, password="x-Pass-12345")
    m = Membership.objects.create(user=user, role=Role.SITE_OPERATOR)
    m.sites.add(site)
    return user


@pytest.mark.django_db
def test_probes_are_totalled_per_china_day_across_batches() -> None:
    site = _site()
    # 23:30 UTC on the 13th is 07:30 on the 14th in China: counted on the 14th.
    t0 = datetime(2017, 9, 13, 23, 30, tzinfo=CST.__class__(timedelta(0)))
    batch1 = [(site.pk, _probe(t0 + timedelta(hours=h), ok=h != 2)) for h in range(5)]
    batch2 = [(site.pk, _probe(t0 + timedelta(hours=20 + h), ok=h != 0)) for h in range(3)]
    store.store(batch1)
    store.store(batch2)
    days = {d.day: (d.probes, d.failures, d.elapsed_ms) for d in AvailabilityDay.objects.filter(site=site)}
    # 07:30..11:30 and 03:30..05:30 next day (China time)
    assert days == {date(2017, 9, 14): (5, 1, 1250), date(2017, 9, 15): (3, 1, 750)}
    assert AvailabilityProbe.objects.filter(site=site).count() == 8
    st = AvailabilityState.objects.get(site=site)
    assert st.consecutive_failures == 0 and st.last_probe_at == batch2[-1][1].t


@pytest.mark.django_db
def test_operator_alerted_after_n_failures_once_per_streak(mailoutbox) -> None:  # noqa: ANN001
    site, quiet = _site(), _site("2204210002")
    _operator(site)
    t = datetime(2017, 9, 14, 8, tzinfo=CST)
    fails = [(site.pk, _probe(t + timedelta(minutes=72 * i), ok=False)) for i in range(6)]
    assert store.store(fails[:2], alert_n=3) == []
    assert mailoutbox == []
    assert store.store(fails[2:3], alert_n=3) == [site.pk]  # the 3rd failure in a row
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["ops@dongfeng.gov.cn"]
    assert "连续 3 次" in mailoutbox[0].subject and URL in mailoutbox[0].body
    assert store.store(fails[3:], alert_n=3) == []  # the same streak: no second mail
    assert len(mailoutbox) == 1
    # a success ends the streak; the next streak is alerted again
    later = t + timedelta(days=1)
    back = [(site.pk, _probe(later))] + [(site.pk, _probe(later + timedelta(hours=i + 1), ok=False)) for i in range(3)]
    assert store.store(back, alert_n=3) == [site.pk]
    assert len(mailoutbox) == 2
    # a site without an operator account: the streak is marked, nobody is mailed
    assert store.store([(quiet.pk, _probe(t + timedelta(minutes=i), ok=False)) for i in range(3)], alert_n=3) == [quiet.pk]
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_any_window_reads_raw_probes_then_day_totals_and_feeds_v15_1() -> None:
    site = _site()
    today = datetime.now(CST).replace(hour=0, minute=0, second=0, microsecond=0)
    probes = []
    for d in range(20, 0, -1):  # 20 days, 20 probes a day; 2 failures a day in the last 5 days
        for k in range(20):
            t = today - timedelta(days=d) + timedelta(minutes=72 * k + 30)
            probes.append((site.pk, _probe(t, ok=not (d <= 5 and k < 2), error="timeout")))
    store.store(probes)
    cutoff = datetime.now(CST) - timedelta(days=8)
    assert store.prune(keep_days=8) == sum(p.t < cutoff for _, p in probes) >= 240  # raw probes older than 8 days go…
    assert AvailabilityDay.objects.filter(site=site).count() == 20  # …the day totals stay
    end = (today - timedelta(days=1)).date()
    window = store.window_probes(site.pk, URL, end - timedelta(days=19), end)
    assert len(window) == 400 and sum(not p.ok for p in window) == 10
    old = [p for p in window if p.t.date() < end - timedelta(days=8)]
    assert old and all(p.t.hour == 12 for p in old)  # totals stand in for pruned days
    recent_fail = [p for p in window if not p.ok]
    assert all(p.error == "timeout" and p.t.minute in (30, 42) for p in recent_fail)  # kept probes keep their evidence
    # the rule set's window (as_of − 1 week … as_of, 8 days): 10 failures of 160 = 6.25 % ⇒ V15-1 veto (≥ 5 %)
    v, _ = availability(get_ruleset("RS2015"), window, URL, end)
    assert v.status == "veto" and "6.25%" in v.summary
    # a quiet week long ago: only totals, no failures
    v2, d2 = availability(get_ruleset("RS2015"), store.window_probes(site.pk, URL, end - timedelta(days=19),
                                                                       end - timedelta(days=12)), URL, end - timedelta(days=12))
    assert v2.status == "ok" and d2.status == "ok" and "共探测 160 次" in v2.summary
