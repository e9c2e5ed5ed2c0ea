"""Demand over the day (typical-day profiles per season and load class) in restoration."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pandas as pd
import pytest

from outage_sim.errors import DataFileError
from outage_sim.restoration.demand import HOURS, DayProfile, load_profiles, season_of

CST = timezone(timedelta(hours=8))
CLASSES = pd.Series(["residential", "industry_commerce", "interruptible", "important", "other"])


def test_profiles_have_every_season_and_class_with_a_source():
    table = load_profiles()
    for season in ("summer", "winter", "spring_autumn"):
        got = set(table[table.season == season].load_class)
        assert {"residential", "industry_commerce", "interruptible", "important"} <= got
    assert (table.source.str.len() > 20).all()
    assert (table[HOURS].max(axis=1) <= 1.0 + 1e-9).all()


def test_factor_is_one_at_the_event_and_a_day_later_and_follows_the_clock():
    day = DayProfile(CLASSES, datetime(2026, 8, 6, 21, 0, tzinfo=CST), load_profiles())
    assert np.allclose(day.factor(0.0), 1.0) and np.allclose(day.factor(24.0), 1.0)
    night = day.factor(7.0)  # 04:00
    assert night[0] < 0.6 and night[4] == 1.0  # residential far down at night; no profile: flat
    assert day.next_hour(0.0) == 1.0 and day.next_hour(0.5) == 1.0
    assert season_of(datetime(2026, 1, 5)) == "winter" and season_of(datetime(2026, 4, 5)) == \
        "spring_autumn"


def test_bad_profile_file_is_one_line(tmp_path):
    table = load_profiles().copy()
    table.loc[0, "h03"] = -1
    table.to_csv(tmp_path / "load_profiles.csv", index=False)
    load_profiles.cache_clear()
    try:
        with pytest.raises(DataFileError, match="load_profiles.csv: row 2"):
            load_profiles(tmp_path)
    finally:
        load_profiles.cache_clear()


def test_seeded_repairs_are_drawn_and_reproducible():
    """Repair times from their lognormal with a seed (the same seed, the same draws); the
    medians without one; 重大 events get cross-province support crews after the stated delay."""
    from outage_sim.restoration import repair_data, restore
    from outage_sim.studies import load_scenario, run_scenario

    run = run_scenario(load_scenario("core_station_fire"), restore=False)
    base = restore(run, horizon_h=8)
    a, b, c = (restore(run, horizon_h=8, seed=s) for s in (1, 1, 2))
    assert a.jobs.work_h.tolist() == b.jobs.work_h.tolist()
    assert a.jobs.work_h.tolist() != c.jobs.work_h.tolist()
    assert base.jobs.work_h.tolist() == [24.0]
    assert repair_data().values["support_crews"]["by_level"]["重大"] > 0


def test_distribution_repairs_are_drawn_in_seeded_runs():
    """Feeder and 110 kV repairs beneath the model: the medians without a seed, draws with."""
    from outage_sim.restoration import repair_data
    from outage_sim.restoration.distribution import finish_h

    data = repair_data()
    assert data.draw_factor(None) == 1.0
    rng = np.random.default_rng(3)
    draws = np.array([data.draw_factor(rng) for _ in range(2000)])
    assert 0.9 < np.median(draws) < 1.1 and draws.min() > 0
    assert finish_h(0.0, 6.0, 1.0, 0.0) == 6.0
