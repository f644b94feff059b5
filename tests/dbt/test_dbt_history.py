"""Every capture stays in the lake; the history marts are rebuilt from it, so the warehouse is disposable.

Why a lake of its own: the shared fixture lake is written once. Here captures arrive day by day as
the lake contract says (rows filed under the video's UTC creation day; a capture ADDS its rows with
its captured_at and never removes an earlier capture day's), and the same warehouse is built after
each capture day, as the daily sensor does. Then the warehouse file is deleted and rebuilt: every
mart, the history marts included, must come out identical (issue 10 §2).
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest

from tests.dbt.lake_fixture import _video, ts, write_lake
from tests.warehouse_rows import warehouse_tables
from tiktok_assets.dbt.runner import run_dbt_build

DAY1, DAY2 = date(2026, 11, 20), date(2026, 11, 21)  # capture days
CREATED_A, CREATED_B = date(2026, 11, 19), date(2026, 11, 18)  # creation days = event partitions
VA, VB = "7310000000000000001", "7310000000000000002"
KEYWORD = "ramen"


def _row(day: date, entity: str, captured: datetime, **fields) -> dict:
    row = {"partition_date": day, "tracked_entity": entity, "captured_at": captured, **fields}
    row["raw"] = json.dumps({k: str(v) for k, v in fields.items()})
    return row


def posts(created: date, vid: str, captured: datetime, plays: int) -> dict[str, list[dict]]:
    video = _video(vid, ts(created, 10), "chef_lina", plays, plays // 10, 5, 2, 3)
    return {"posts": [_row(created, "chef_lina", captured, **video)]}


def detail(created: date, vid: str, captured: datetime, plays: int) -> dict[str, list[dict]]:
    video = _video(vid, ts(created, 10), "chef_lina", plays, plays // 10, 5, 2, 3)
    return {"videos": [_row(created, "posts:chef_lina", captured, **video, play_url=None, download_url=None,
                            video_width=720, video_height=1280, hashtags=["ramen"], mentions=[],
                            discovered_via="posts")]}


def search(created: date, vid: str, captured: datetime, rank: int) -> dict[str, list[dict]]:
    video = _video(vid, ts(created, 10), "chef_lina", 900, 90, 9, 9, 9)
    return {"search_videos": [_row(created, KEYWORD, captured, keyword=KEYWORD, search_rank=rank,
                                   publish_time_window=None, **video)]}


def query(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def daily(warehouse: Path, vid: str) -> dict[date, tuple]:
    return {d: (via, plays, created) for d, via, plays, created in query(
        warehouse, f"select capture_date, observed_via, play_count, created_date from marts.fct_video_daily "
                   f"where video_id = '{vid}'")}


def build(lake: Path, warehouse: Path) -> None:
    summary = run_dbt_build(str(lake), str(warehouse))
    assert summary.success and summary.failed == (), summary.failed


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("dbt_incremental")
    lake, warehouse = root / "lake", root / "warehouse.duckdb"
    # Day 1: VA and VB listed in posts and detailed; VA found by a search.
    for part in (posts(CREATED_A, VA, ts(DAY1, 10), 1000), detail(CREATED_A, VA, ts(DAY1, 10, 5), 1100),
                 posts(CREATED_B, VB, ts(DAY1, 10), 500), detail(CREATED_B, VB, ts(DAY1, 10, 5), 550),
                 search(CREATED_A, VA, ts(DAY1, 15), 1)):
        write_lake(str(lake), part)
    build(lake, warehouse)
    after_day1 = {"va": daily(warehouse, VA), "vb": daily(warehouse, VB)}
    # Day 2 captures again: VA's posts (not its detail), VB's detail (not its posts), VA's search.
    for part in (posts(CREATED_A, VA, ts(DAY2, 12), 2000), detail(CREATED_B, VB, ts(DAY2, 12, 5), 800),
                 search(CREATED_A, VA, ts(DAY2, 15), 2)):
        write_lake(str(lake), part)
    build(lake, warehouse)
    return {"lake": lake, "warehouse": warehouse, "after_day1": after_day1}


def test_first_build_keys_event_rows_on_the_capture_day(two_builds: dict) -> None:
    after = two_builds["after_day1"]
    assert after["va"] == {DAY1: ("videos", 1100, CREATED_A)}  # not keyed on the creation day 11-19
    assert after["vb"] == {DAY1: ("videos", 550, CREATED_B)}


def test_video_observed_on_two_capture_days_keeps_both_and_shows_the_latest(two_builds: dict) -> None:
    warehouse = two_builds["warehouse"]
    # Day 1's detail and day 1's posts are still in the lake, beside day 2's posts capture.
    assert daily(warehouse, VA) == {DAY1: ("videos", 1100, CREATED_A), DAY2: ("posts", 2000, CREATED_A)}
    [(plays, stats_day, first, last, days, hashtags)] = query(warehouse, (
        "select play_count, stats_capture_date, first_seen_date, last_seen_date, capture_days, hashtags "
        f"from marts.fct_videos where video_id = '{VA}'"))
    assert (plays, stats_day, first, last, days) == (2000, DAY2, DAY1, DAY2, 2)  # later posts beat the older detail
    assert hashtags == ["ramen"]  # detail-only fields still come from the (older) detail
    assert query(warehouse, f"select capture_date, created_date from staging.stg_posts where video_id = '{VA}' "
                            "order by capture_date") == [(DAY1, CREATED_A), (DAY2, CREATED_A)]


def test_every_capture_day_stays_and_the_most_direct_stream_wins(two_builds: dict) -> None:
    # Day 1's VB detail (550) is still in the lake beside day 2's; day 1's posts row (500) is less direct.
    assert query(two_builds["warehouse"], f"select capture_date from staging.stg_videos where video_id = '{VB}' "
                                          "order by capture_date") == [(DAY1,), (DAY2,)]
    assert daily(two_builds["warehouse"], VB) == {DAY1: ("videos", 550, CREATED_B), DAY2: ("videos", 800, CREATED_B)}


def test_search_results_of_every_capture_day_are_kept(two_builds: dict) -> None:
    rows = query(two_builds["warehouse"], "select capture_date, search_rank, item_id, created_date from "
                                          "marts.fct_search_results order by capture_date")
    assert rows == [(DAY1, 1, VA, CREATED_A), (DAY2, 2, VA, CREATED_A)]


def test_video_curve_gives_stats_per_day_since_posting(two_builds: dict) -> None:
    rows = query(two_builds["warehouse"], "select video_id, days_since_posted, capture_date, observed_via, play_count "
                                          "from marts.fct_video_curve order by video_id, days_since_posted")
    assert rows == [(VA, 1, DAY1, "videos", 1100), (VA, 2, DAY2, "posts", 2000),
                    (VB, 2, DAY1, "videos", 550), (VB, 3, DAY2, "videos", 800)]


def test_deleting_the_warehouse_rebuilds_every_mart_identically(two_builds: dict) -> None:
    """The lake, not warehouse.duckdb, holds the history: delete the file, build, compare every mart."""
    lake, warehouse = two_builds["lake"], two_builds["warehouse"]
    before = warehouse_tables(warehouse)
    assert {"marts.fct_video_daily", "marts.fct_search_results", "marts.fct_videos"} <= set(before)
    assert len(before["marts.fct_video_daily"]) == 4 and len(before["marts.fct_search_results"]) == 2
    warehouse.unlink()
    build(lake, warehouse)
    assert warehouse_tables(warehouse) == before
