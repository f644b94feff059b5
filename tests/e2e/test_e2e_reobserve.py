"""Issue 10 §3 "Video performance over time": each daily posts run re-observes the last N days of
posts from the same newest-first pass, adding exactly one observation per video per capture day.

Two capture days with a travelling clock (as in test_e2e_dbt_two_days): the simulator's world and the
product's clock move from yesterday 12:00 to today 12:00 (never past the real now). Requests are
counted at the simulator; ids are compared with the universe's truth.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import time_machine
from deltalake import DeltaTable

from tests.assets.conftest import make_pipeline  # noqa: F401  (fixture)
from tests.assets.truth import one_pass_pages, posts_in
from tiktok_assets.assets.windows import Window

ACCOUNT = "chef_lina"
N = 3


def observations(p) -> Counter:
    """(video id, capture day) -> rows, read as a user reads the Delta table."""
    t = DeltaTable(p.lake.table_uri("posts")).to_pyarrow_dataset().to_table(columns=["aweme_id", "captured_at"])
    return Counter((v, c.date()) for v, c in zip(t["aweme_id"].to_pylist(), t["captured_at"].to_pylist()))


def test_daily_runs_add_one_observation_per_video_per_day(make_pipeline, simulator_factory) -> None:  # noqa: F811
    real_now = datetime.now(UTC)
    clock1 = min(real_now.replace(hour=12, minute=0, second=0, microsecond=0), real_now - timedelta(minutes=5)) - timedelta(days=1)
    clock2 = clock1 + timedelta(days=1)
    day1, day2 = clock1.date(), clock2.date()
    sim = simulator_factory(now=clock1.timestamp(), quirks=frozenset())
    p = make_pipeline(sim)
    p.track(accounts=[ACCOUNT])
    cfg = {"ops": {"tiktok_events": {"config": {"posts": {"reobserve_days": N}}}}}

    with time_machine.travel(clock1, tick=True):
        assert p.run(("posts",), day1, run_config=cfg).success
        assert p.run(("posts",), day1, run_config=cfg).success  # a rerun of the same day: idempotent
    u1 = sim.universe
    window1 = Window(day1 - timedelta(days=N), day1)
    first = observations(p)
    assert set(first.values()) == {1}
    assert {v for v, _c in first} == posts_in(u1, ACCOUNT, window1) != set()
    assert sorted({d for d, _k in p.lake.partitions("posts")}) == window1.days()  # empty days captured too

    u2 = sim.travel(clock2.timestamp())
    sim.reset_stats()
    with time_machine.travel(clock2, tick=True):
        assert p.run(("posts",), day2, run_config=cfg).success
    window2 = Window(day2 - timedelta(days=N), day2)
    pages = sim.stats()["requests"].get("/api/v1/tiktok/user/posts", 0)
    assert pages == one_pass_pages(u2, ACCOUNT, window2)  # the re-observation rides on the one pass
    obs = observations(p)
    assert set(obs.values()) == {1}  # never two observations of a video on one capture day
    truth2 = posts_in(u2, ACCOUNT, window2)
    assert {v for v, c in obs if c == day2} == truth2
    # videos of the overlapping days now have one observation per capture day
    # (those posted before the day-1 capture; a video posted later on day 1 is first seen on day 2)
    overlap = {v for v in truth2 if int(u2.video(v)["create_time"]) < clock1.timestamp()}
    assert overlap and all(obs[(v, day1)] == 1 and obs[(v, day2)] == 1 for v in overlap)
    # only the two capture days exist: nothing else was observed
    assert sum(1 for (_v, c) in obs if c not in (day1, day2)) == 0
