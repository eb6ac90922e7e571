"""Campaign checks take the monitor's stored probes for their quarter (V15-1 / D15-1) instead
of 3 short probes: the job says which registry site's probes to read, and the checker gets
them as a probe log; an explicit --probe-log still wins."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

import pytest

from govsite.engine.indicators.availability import CST, Probe, availability, read_log
from govsite.engine.rulesets import load_ruleset
from govsite.inspections.executor import RunOptions, _prepare, _stored_probe_log
from govsite.registry import availability as store


@pytest.mark.django_db
def test_campaign_jobs_read_the_stored_probes_of_their_quarter(registry) -> None:  # noqa: ANN001
    from govsite.inspections.campaigns import draw_national_sample

    c = draw_national_sample("2017Q3", 6, "stored", minimum=0)
    cs = list(c.sites.select_related("site").order_by("site__code"))
    watched, other = cs[0].site, cs[1].site
    as_of = c.as_of.astimezone(CST)
    # the monitor ran the week before as_of: 20 probes a day, 3 failures a day (15 % ⇒ veto)…
    probes = [(watched.pk, Probe(as_of - timedelta(days=d, minutes=72 * k), watched.home_url, k >= 3,
                                 200 if k >= 3 else None, 0.3, None if k >= 3 else "connect"))
              for d in range(1, 8) for k in range(20)]
    # …and long before the quarter (outside the window: not read)
    probes += [(watched.pk, Probe(datetime(2017, 3, 1, 9, tzinfo=CST), watched.home_url, True, 200, 0.3, None))]
    store.store(probes)
    jobs, _ = _prepare(c.pk, RunOptions())
    by_site = {j.code: j for j in jobs}
    job = by_site[watched.code]
    assert job.stored_probes_site == watched.pk and job.stored_probes_from == "2017-07-01"
    assert by_site[other.code].stored_probes_site is None  # no probes stored: the check probes itself
    path = _stored_probe_log(job)
    try:
        log = read_log(path)
    finally:
        os.unlink(path)
    assert len(log) == 140 and sum(not p.ok for p in log) == 21
    v, _ = availability(load_ruleset("RS2015"), log, job.url, as_of.date())
    assert v.status == "veto" and "15.00%" in v.summary
    # an explicit probe log wins over stored probes
    jobs2, _ = _prepare(c.pk, RunOptions(probe_log="/tmp/explicit.jsonl"))
    assert all(j.stored_probes_site is None and j.probe_log == "/tmp/explicit.jsonl" for j in jobs2)
