"""A real `dbt build` over a small on-disk lake: green, and mart figures equal the fixture's arithmetic."""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from tests.dbt.conftest import BuiltLake
from tests.dbt.lake_fixture import C1, C2, D1, D2, HASHTAG_ID, KEYWORD, LINA, RUNNER, V1, V2, V8
from tiktok_assets.dbt.project import dbt_env, patched_environ
from tiktok_assets.dbt.runner import _shared_resource, summarize_run_results
from tiktok_assets.lake.schemas import SCHEMAS

MARTS = ["dim_accounts", "fct_account_daily", "fct_videos", "fct_video_daily", "fct_comments",
         "fct_hashtag_daily", "fct_search_results", "fct_follow_edges", "fct_credit_usage", "fct_video_curve",
         "dim_tracked_entities", "fct_account_renames"]


def latest_per_day(rows: list[dict], key: str) -> dict[tuple, dict]:
    """(key value, partition_date) -> the row with the greatest captured_at (the staging rule)."""
    best: dict[tuple, dict] = {}
    for row in rows:
        k = (row[key], row["partition_date"])
        if k not in best or row["captured_at"] > best[k]["captured_at"]:
            best[k] = row
    return best


def engagement(row: dict) -> float | None:
    plays = row["play_count"]
    interactions = row["digg_count"] + row["comment_count"] + row["share_count"] + row["collect_count"]
    return None if not plays else interactions / plays


def test_build_is_green_and_counts_everything(local_build: BuiltLake) -> None:
    summary = local_build.summary
    manifest = json.loads((local_build.target / "manifest.json").read_text())
    n_models = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "model")
    n_tests = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "test")
    assert summary.failed == ()
    assert summary.success
    assert (summary.models_passed, summary.tests_passed, summary.skipped) == (n_models, n_tests, 0)
    assert n_models == 25 and n_tests > 100  # 13 staging + 12 marts
    assert summary.seconds > 0


def test_account_daily_follower_delta(local_build: BuiltLake) -> None:
    daily = latest_per_day(local_build.rows["profiles"], "sec_uid")
    expected = {sec: daily[(sec, D2)]["follower_count"] - daily[(sec, D1)]["follower_count"] for sec in (LINA, RUNNER)}
    got = dict(local_build.query(
        "select sec_uid, followers_delta from marts.fct_account_daily where capture_date = ?", [D2]))
    assert got == expected == {LINA: 100, RUNNER: -20}  # lina's stale 08:00 capture (1050) lost to 12:00
    first_day = local_build.query("select count(*) from marts.fct_account_daily "
                                  "where capture_date = ? and followers_delta is null and days_since_previous is null", [D1])
    assert first_day == [(2,)]
    lina = local_build.dicts(f"select * from marts.fct_account_daily where sec_uid = '{LINA}' and capture_date = '{D2}'")[0]
    assert (lina["likes"], lina["videos"], lina["likes_delta"], lina["videos_delta"]) == (20500, 11, 500, 1)


def test_dim_accounts_latest_profile_and_seen_dates(local_build: BuiltLake) -> None:
    rows = local_build.dicts("select * from marts.dim_accounts order by username")
    assert [r["sec_uid"] for r in rows] == [LINA, RUNNER]
    assert rows[0]["follower_count"] == 1100 and rows[0]["bio_url"] == "https://lina.example"
    assert all((r["first_seen_date"], r["last_seen_date"], r["capture_days"]) == (D1, D2, 2) for r in rows)


def test_video_stats_and_engagement_rate(local_build: BuiltLake) -> None:
    # D2: V1 has a video-detail row, which beats the post list and the later search result that day.
    detail = next(r for r in local_build.rows["videos"] if r["aweme_id"] == V1 and r["partition_date"] == D2)
    post_d1 = next(r for r in local_build.rows["posts"] if r["aweme_id"] == V1 and r["partition_date"] == D1)
    v1 = local_build.dicts(f"select * from marts.fct_videos where video_id = '{V1}'")[0]
    assert v1["play_count"] == detail["play_count"] == 2100
    assert v1["engagement_rate"] == pytest.approx(engagement(detail)) == pytest.approx(0.1)
    assert v1["hashtags"] == ["cooking", "fyp"] and v1["is_pinned"] is True
    assert (v1["first_seen_date"], v1["last_seen_date"], v1["stats_capture_date"]) == (D1, D2, D2)
    daily = dict(((d, (via, er)) for d, via, er in local_build.query(
        f"select capture_date, observed_via, engagement_rate from marts.fct_video_daily where video_id = '{V1}'")))
    assert daily[D1][0] == "posts" and daily[D1][1] == pytest.approx(engagement(post_d1)) == pytest.approx(0.12)
    assert daily[D2][0] == "videos"
    # 0 plays -> null engagement (no division by zero), on every day.
    assert local_build.query(f"select play_count, engagement_rate from marts.fct_videos where video_id = '{V2}'") == [(0, None)]
    assert local_build.query(f"select count(*) from marts.fct_video_daily where video_id = '{V2}' and engagement_rate is null") == [(2,)]
    all_ids = {r["aweme_id"] for t in ("posts", "videos", "hashtag_videos", "search_videos") for r in local_build.rows[t]}
    assert {r[0] for r in local_build.query("select video_id from marts.fct_videos")} == all_ids


def test_comment_thread(local_build: BuiltLake) -> None:
    replies = {r["cid"] for r in local_build.rows["comment_replies"] if r["reply_to_cid"] == C1}
    latest_c1 = max((r for r in local_build.rows["comments"] if r["cid"] == C1), key=lambda r: r["captured_at"])
    rows = {r["comment_id"]: r for r in local_build.dicts("select * from marts.fct_comments")}
    assert rows[C1]["reply_count_observed"] == len(replies) == 3
    assert rows[C1]["reply_comment_total"] == latest_c1["reply_comment_total"] == 4
    assert rows[C1]["author_liked"] is True and rows[C1]["like_count"] == 9
    assert rows[C2]["reply_count_observed"] == 0 and rows[C2]["author_liked"] is False
    assert {cid for cid, r in rows.items() if r["is_reply"]} == replies
    assert all(rows[cid]["parent_comment_id"] == C1 and rows[cid]["reply_count_observed"] is None for cid in replies)


def test_hashtag_new_videos_per_day(local_build: BuiltLake) -> None:
    created_on: dict = defaultdict(set)
    for r in local_build.rows["hashtag_videos"]:
        created_on[r["create_time"].date()].add(r["aweme_id"])
    got = {d: (new, listed, vc, delta) for d, new, listed, vc, delta in local_build.query(
        "select capture_date, new_videos, videos_listed, video_count, video_count_delta "
        "from marts.fct_hashtag_daily where hashtag_id = ?", [HASHTAG_ID])}
    assert got[D1][0] == len(created_on[D1]) == 1
    assert got[D2][0] == len(created_on[D2]) == 2  # includes the video posted 23:30 UTC
    assert (got[D1][1], got[D2][1]) == (3, 3)
    assert (got[D1][2:], got[D2][2:]) == ((100, None), (110, 10))
    # creation days of listed videos without any capture still report their new videos (backfills)
    creation_only = {d: v for d, v in got.items() if d not in (D1, D2)}
    assert creation_only == {d: (len(ids), 0, None, None) for d, ids in created_on.items() if d not in (D1, D2)}
    assert len(creation_only) == 2


def test_search_results_both_types_with_best_rank(local_build: BuiltLake) -> None:
    rows = local_build.query(
        "select result_type, search_rank, item_id from marts.fct_search_results "
        "where keyword = ? and capture_date = ? order by result_type, search_rank", [KEYWORD, D1])
    assert rows == [("user", 1, LINA), ("user", 2, "MS4wLjABAAAA_f3"), ("video", 1, V8), ("video", 2, V1)]


def test_follow_edges(local_build: BuiltLake) -> None:
    seen: dict = defaultdict(set)
    for r in local_build.rows["followers"]:
        seen[(r["sec_uid"], r["owner_sec_uid"])].add(r["partition_date"])
    for r in local_build.rows["followings"]:
        seen[(r["owner_sec_uid"], r["sec_uid"])].add(r["partition_date"])
    got = {(a, b): (first, last) for a, b, first, last in local_build.query(
        "select follower_sec_uid, followed_sec_uid, first_seen_date, last_seen_date from marts.fct_follow_edges")}
    assert got == {edge: (min(days), max(days)) for edge, days in seen.items()}
    assert local_build.query(f"select seen_in_followers, seen_in_followings from marts.fct_follow_edges "
                             f"where follower_sec_uid = '{LINA}' and followed_sec_uid = '{RUNNER}'") == [(True, True)]


def test_missing_credit_ledger_builds_empty_typed_marts(local_build: BuiltLake) -> None:
    assert not (Path(local_build.lake_url) / "credit_ledger").exists()
    assert local_build.query("select count(*) from marts.fct_credit_usage") == [(0,)]
    types = dict(local_build.query("select column_name, data_type from information_schema.columns "
                                   "where table_schema = 'staging' and table_name = 'stg_credit_ledger'"))
    assert len(types) == len(SCHEMAS["credit_ledger"])
    assert (types["credits_used"], types["requested_at"], types["usage_date"]) == ("BIGINT", "TIMESTAMP WITH TIME ZONE", "DATE")


def test_marts_are_tables_and_exported_to_parquet(local_build: BuiltLake) -> None:
    kinds = dict(local_build.query("select table_name, table_type from information_schema.tables where table_schema = 'marts'"))
    assert kinds == {m: "BASE TABLE" for m in MARTS}
    for mart in MARTS:
        exported = Path(local_build.lake_url) / "marts" / mart / "data.parquet"
        table = pq.read_table(exported)
        assert table.num_rows == local_build.query(f"select count(*) from marts.{mart}")[0][0], mart
    fct_videos = pq.read_table(Path(local_build.lake_url) / "marts" / "fct_videos" / "data.parquet").to_pylist()
    assert {r["video_id"]: r["play_count"] for r in fct_videos}[V1] == 2100


def test_every_model_column_is_documented(local_build: BuiltLake) -> None:
    manifest = json.loads((local_build.target / "manifest.json").read_text())
    con = duckdb.connect(str(local_build.warehouse), read_only=True)
    try:
        for node in manifest["nodes"].values():
            if node["resource_type"] != "model":
                continue
            actual = [r[0] for r in con.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
                "order by ordinal_position", [node["schema"], node["name"]]).fetchall()]
            documented = node["columns"]
            assert node["description"].strip(), node["name"]
            assert sorted(actual) == sorted(documented), node["name"]
            assert all(c["description"].strip() for c in documented.values()), node["name"]
    finally:
        con.close()


def test_singular_tests_catch_broken_marts(local_build: BuiltLake, tmp_path: Path) -> None:
    """Tamper with a copy of the warehouse: the reconciliation and range tests must fail."""
    warehouse = tmp_path / "tampered.duckdb"
    shutil.copy(local_build.warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    con.execute(f"update marts.fct_account_daily set followers_delta = 99 where sec_uid = '{LINA}' and capture_date = '{D2}'")
    con.execute(f"update marts.fct_videos set engagement_rate = 0.5 where video_id = '{V2}'")
    con.execute(f"update marts.fct_comments set reply_count_observed = 7 where comment_id = '{C1}'")
    con.close()
    with patched_environ(dbt_env(local_build.lake_url, str(warehouse))):
        invocation = _shared_resource().cli(["test", "--select", "test_type:singular", "--quiet"],
                                        target_path=tmp_path / "target", raise_on_error=False)
    invocation.wait()
    summary = summarize_run_results(invocation.get_artifact("run_results.json"), invocation.is_successful(), 0.0, None)
    failed = sorted(f.split(":")[0].rsplit(".", 1)[-1] for f in summary.failed)
    assert not summary.success
    assert failed == ["assert_account_daily_deltas_reconcile", "assert_comment_threads_reconcile",
                      "assert_engagement_rate_in_range"]
    assert summary.tests_passed == 3  # the untouched singular tests still pass
