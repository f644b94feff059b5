"""End to end over two capture days: simulator -> assets (real HTTP, real Dagster runs) -> lake -> `dbt build`.

Why two days and a travelling clock: the marts' interesting figures are changes between captures, and
snapshot assets only accept today's partition. So the product's clock is moved with ``time_machine``
(never past the real now) and the simulator's world with ``SimulatorServer.travel``:

- day 1 = yesterday: simulator anchored at yesterday 00:20 UTC, clock there; all assets for yesterday.
- day 2 = today: ``sim.travel(anchor + 1 day)``, clock at today 00:20; the daily schedule's two runs:
  yesterday's (now complete) events, then every asset for today (snapshots and today's events so far).

Expected figures come from the simulator's universe at each capture (``Universe.at``), never from the
lake, applying the assets' window rules: event rows are filed by UTC create day, and a (day, entity)
partition holds what the *last* run covering that day captured.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
import time_machine
import yaml

from tests.warehouse_rows import warehouse_tables
from tiktok_assets.assets import EVENT_NAMES
from tiktok_assets.assets.windows import utc_day
from tiktok_assets.cli.materialize_cmd import ALL_NAMES, MaterializeSummary, materialize
from tiktok_assets.dbt.runner import DbtBuildSummary, run_dbt_build
from tiktok_assets.simulator import (DEMO_ACCOUNTS, DEMO_HASHTAGS, DEMO_KEYWORDS, SimulatorConfig, SimulatorServer,
                                     Universe)

DAY = timedelta(days=1)
ACCOUNT = "chef_lina"


@dataclass
class TwoDays:
    day1: date
    day2: date
    u1: Universe  # the world at the day-1 capture (the anchor)
    u2: Universe  # the world at the day-2 captures
    runs: list[MaterializeSummary]
    served: dict[date, int]  # 200 answers of the simulator per UTC day of its (travelled) clock
    dbt: DbtBuildSummary
    warehouse: Path
    seconds: float

    def rows(self, sql: str, params: list | None = None) -> list[dict[str, Any]]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            cur = con.execute(sql, params or [])
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]
        finally:
            con.close()


def capture_times(real_now: datetime) -> tuple[datetime, datetime]:
    """(anchor = day-1 clock, day-2 clock). The day-2 clock is today 00:20, or just before the real now
    when the test runs in the first 20 minutes of a UTC day (the simulator still travels a whole day)."""
    today = real_now.replace(hour=0, minute=0, second=0, microsecond=0)
    anchor = today - DAY + timedelta(minutes=20)
    return anchor, max(today, min(anchor + DAY, real_now - timedelta(seconds=5)))


@pytest.fixture(scope="module")
def two_days(tmp_path_factory: pytest.TempPathFactory, api_key: str) -> Iterator[TwoDays]:
    started = time.perf_counter()
    root = tmp_path_factory.mktemp("e2e_two_days")
    anchor, clock2 = capture_times(datetime.now(UTC))
    day1, day2 = anchor.date(), clock2.date()
    # hashtag feeds newest-first: each day's capture (the top 10 pages) then holds that day's new uploads,
    # which test_hashtag_new_videos_per_day counts (by likes they would sit below the captured depth)
    config = SimulatorConfig(seed=42, api_key=api_key, now=anchor.timestamp(), n_generated_accounts=10,
                             hashtag_video_order="newest")
    sim = SimulatorServer(config).start()
    tracked = root / "tracked.yaml"
    tracked.write_text(yaml.safe_dump({"accounts": list(DEMO_ACCOUNTS), "hashtags": list(DEMO_HASHTAGS),
                                       "keywords": list(DEMO_KEYWORDS)}, allow_unicode=True), encoding="utf-8")
    mp = pytest.MonkeyPatch()
    for name, value in {"SCAVIO_API_KEY": api_key, "SCAVIO_BASE_URL": sim.url, "TIKTOK_STATE_DIR": str(root / "state"),
                        "SCAVIO_RATE_LIMIT": "100000", "SCAVIO_RATE_WINDOW_SECONDS": "1",
                        "TIKTOK_LAKE_URL": str(root / "lake"), "TIKTOK_TRACKED_FILE": str(tracked)}.items():
        mp.setenv(name, value)
    quiet: list[str] = []
    try:
        u1 = sim.universe
        with time_machine.travel(anchor, tick=True):
            runs = [materialize(day1, day1, log=quiet.append)]  # every asset, for yesterday
        # the daily sensor builds after each day: day 1's build into the same warehouse as day 2's
        first = run_dbt_build(str(root / "lake"), str(root / "warehouse.duckdb"))
        assert first.success, first.describe()
        u2 = sim.travel(anchor.timestamp() + DAY.total_seconds())
        with time_machine.travel(clock2, tick=True):
            runs.append(materialize(day1, day1, select=list(EVENT_NAMES), log=quiet.append))  # yesterday, complete
            runs.append(materialize(day2, day2, log=quiet.append))  # today: snapshots + today's events so far
        served = Counter(utc_day(t) for t, _path, status, _body in sim.request_log if status == 200)
        summary = run_dbt_build(str(root / "lake"), str(root / "warehouse.duckdb"))
        yield TwoDays(day1, day2, u1, u2, runs, dict(served), summary, root / "warehouse.duckdb",
                      time.perf_counter() - started)
    finally:
        mp.undo()
        sim.stop()


def test_both_days_captured_and_dbt_build_is_green(two_days: TwoDays) -> None:
    for run in two_days.runs:
        assert run.ok, [(a.asset, a.status, a.errors) for a in run.assets]
    statuses = [{a.asset: a.status for a in run.assets} for run in two_days.runs]
    # snapshots were accepted on both days: each time "today" under the travelled clock
    assert statuses[0] == statuses[2] == dict.fromkeys(ALL_NAMES, "ok")
    assert statuses[1] == dict.fromkeys(EVENT_NAMES, "ok")
    assert two_days.dbt.failed == () and two_days.dbt.success, two_days.dbt.describe()
    assert two_days.dbt.models_passed >= 20 and two_days.dbt.tests_passed > 100
    assert two_days.u2.now - two_days.u1.now == 86_400 and two_days.day2 - two_days.day1 == DAY
    # the credit ledger was stamped by the travelled clock: one credit per 200 the simulator served that day
    credits = {r["usage_date"]: r["credits"] for r in two_days.rows(
        "select usage_date, sum(credits_used) as credits from marts.fct_credit_usage group by usage_date")}
    assert set(two_days.served) == {two_days.day1, two_days.day2}
    assert credits == two_days.served
    assert sum(a.credits for run in two_days.runs for a in run.assets) == sum(two_days.served.values())


def test_follower_delta_between_the_two_captures(two_days: TwoDays) -> None:
    u1, u2 = two_days.u1, two_days.u2
    got = {r["username"]: r for r in two_days.rows(
        "select * from marts.fct_account_daily where capture_date = ?", [two_days.day2])}
    assert sorted(got) == sorted(DEMO_ACCOUNTS)
    for a in DEMO_ACCOUNTS:
        expected = u2.account(a)["follower_count"] - u1.account(a)["follower_count"]
        assert expected > 0
        assert (got[a]["followers_delta"], got[a]["days_since_previous"]) == (expected, 1)
        assert got[a]["followers"] == u2.account(a)["follower_count"]
        assert got[a]["videos_delta"] == u2.account(a)["aweme_count"] - u1.account(a)["aweme_count"] > 0
    first = two_days.rows("select followers_delta from marts.fct_account_daily where capture_date = ?", [two_days.day1])
    assert len(first) == 3 and all(r["followers_delta"] is None for r in first)


def new_posts(two_days: TwoDays, account: str) -> list[dict[str, Any]]:
    """Posts made after the day-1 capture and before the end of day 1: captured by day 2's run for day 1."""
    return [v for v in two_days.u2.posts_of(account)
            if v["create_time"] > two_days.u1.now and utc_day(v["create_time"]) == two_days.day1]


def test_engagement_rate_of_a_video_first_seen_on_day_two(two_days: TwoDays) -> None:
    u2 = two_days.u2
    video = max(new_posts(two_days, ACCOUNT), key=lambda v: v["statistics"]["play_count"])
    s = u2.video(video["aweme_id"])["statistics"]
    expected = (s["digg_count"] + s["comment_count"] + s["share_count"] + s["collect_count"]) / s["play_count"]
    [row] = two_days.rows("select * from marts.fct_videos where video_id = ?", [video["aweme_id"]])
    assert row["play_count"] == s["play_count"] and row["comment_count"] == s["comment_count"] > 0
    assert row["engagement_rate"] == pytest.approx(expected)
    # Filed under its create day (day 1) but captured on day 2: capture days are the UTC day of
    # captured_at (before the capture-day fix this was the partition day, day 1).
    assert row["stats_capture_date"] == two_days.day2
    [daily] = two_days.rows("select * from marts.fct_video_daily where video_id = ?", [video["aweme_id"]])
    assert (daily["capture_date"], daily["created_date"]) == (two_days.day2, two_days.day1)
    rows = two_days.rows("select video_id, play_count, like_count, comment_count, share_count, collect_count, "
                         "engagement_rate from marts.fct_videos")
    demo_posts = {v["aweme_id"] for a in DEMO_ACCOUNTS for v in u2.posts_of(a)
                  if utc_day(v["create_time"]) in (two_days.day1, two_days.day2)}
    assert len(demo_posts) >= 6 and demo_posts <= {r["video_id"] for r in rows}
    zero_in_universe = {r["video_id"] for r in rows if u2.video(r["video_id"])["statistics"]["play_count"] == 0}
    for r in rows:
        if r["play_count"] == 0:
            assert r["engagement_rate"] is None
        else:
            interactions = r["like_count"] + r["comment_count"] + r["share_count"] + r["collect_count"]
            assert r["engagement_rate"] == pytest.approx(interactions / r["play_count"])
    assert all(r["engagement_rate"] is None for r in rows if r["video_id"] in zero_in_universe)


def test_reply_count_of_a_thread_follows_the_window_rule(two_days: TwoDays) -> None:
    """Day 2's run for day 1 reads replies of the top comments (by reply total) created on day 1 and
    files the replies created on day 1; replies made on day 2 to a day-1 comment are never captured."""
    u2, day1 = two_days.u2, two_days.day1
    candidates = []  # (replies outside the window > 0, replies inside, cid, video id, parent)
    for v in new_posts(two_days, ACCOUNT):
        day1_comments = [c for c in u2.comments_of(v["aweme_id"]) if utc_day(c["create_time"]) == day1]
        top = sorted((c for c in day1_comments if c["reply_comment_total"]),
                     key=lambda c: (c["reply_comment_total"], c["cid"]), reverse=True)[:5]
        for c in top:
            replies = u2.replies_of(v["aweme_id"], c["cid"])
            inside = sum(1 for r in replies if utc_day(r["create_time"]) == day1)
            candidates.append((len(replies) > inside, inside, c["cid"], v["aweme_id"], c))
    excluded_some, expected, cid, vid, parent = max(candidates)
    assert expected > 0 and excluded_some  # the window rule matters for this thread
    [row] = two_days.rows("select * from marts.fct_comments where comment_id = ?", [cid])
    # Created on day 1, first captured by day 2's run for day 1: first_seen_date is that capture day
    # (before the capture-day fix it was the partition day, day 1).
    assert (row["video_id"], row["is_reply"], row["first_seen_date"]) == (vid, False, two_days.day2)
    assert row["reply_comment_total"] == parent["reply_comment_total"]
    assert row["reply_count_observed"] == expected < parent["reply_comment_total"]
    replies = two_days.rows("select count(*) as n from marts.fct_comments where parent_comment_id = ?", [cid])
    assert replies == [{"n": expected}]


def test_hashtag_new_videos_per_day(two_days: TwoDays) -> None:
    u2 = two_days.u2
    got = {(r["hashtag_name"], r["capture_date"]): r["new_videos"] for r in two_days.rows(
        "select hashtag_name, capture_date, new_videos from marts.fct_hashtag_daily")}
    total_today = 0
    for h in DEMO_HASHTAGS:
        listed = u2.hashtag_videos_of(u2.hashtag_id_of(h))
        for day in (two_days.day1, two_days.day2):
            expected = len({v["aweme_id"] for v in listed if utc_day(v["create_time"]) == day})
            assert got[(h, day)] == expected, (h, day)
            total_today += expected if day == two_days.day2 else 0
    assert total_today > 0  # the demo creators' scheduled upload of today is listed
    print(f"\ne2e two days: fixture {two_days.seconds:.1f}s, dbt {two_days.dbt.seconds:.1f}s")


def test_a_fresh_warehouse_rebuilt_from_the_lake_has_identical_marts(two_days: TwoDays) -> None:
    """Issue 10 §2: the lake keeps every capture, so the warehouse is disposable. The warehouse built
    after each day equals one built once, from nothing, from the lake."""
    rebuilt = two_days.warehouse.with_name("rebuilt.duckdb")
    assert not rebuilt.exists()
    summary = run_dbt_build(str(two_days.warehouse.parent / "lake"), str(rebuilt))
    assert summary.success, summary.describe()

    before, after = warehouse_tables(two_days.warehouse), warehouse_tables(rebuilt)
    assert len(before) >= 9 and before.keys() == after.keys()
    for name in before:
        assert after[name] == before[name], name
    # the history marts hold both capture days, read from the lake
    days = {r[0] for r in duckdb.connect(str(rebuilt), read_only=True).execute(
        "select distinct capture_date from marts.fct_video_daily").fetchall()}
    assert days == {two_days.day1, two_days.day2}

