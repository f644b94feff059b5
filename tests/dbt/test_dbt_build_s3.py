"""The dbt build with the lake in S3 (moto server), run by materializing the Dagster dbt assets:
reads through the profile's fsspec filesystem (never httpfs), reads the credit ledger's run=
folders, exports marts to the bucket, and reports models and dbt tests to Dagster."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date

import pyarrow.parquet as pq

from dagster import AssetKey

from tests.dbt.conftest import S3Built
from tests.dbt.lake_fixture import D1, D2, LINA, RUNNER


def test_dagster_materialization_is_green(s3_build: S3Built) -> None:
    result = s3_build.result
    assert result.success
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert len(materialized) == 25  # 13 staging + 12 marts
    assert {AssetKey(["marts", "fct_credit_usage"]), AssetKey(["staging", "stg_posts"])} <= materialized
    checks = [e.event_specific_data for e in result.all_events
              if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert len(checks) > 100 and all(c.passed for c in checks)
    names = {(c.asset_key, c.check_name) for c in checks}
    assert (AssetKey(["marts", "fct_videos"]), "unique_fct_videos_video_id") in names
    # singular tests over several models are attached through their dbt meta (dagster.ref)
    assert (AssetKey(["marts", "fct_credit_usage"]), "assert_credits_non_negative_and_reconciled") in names
    assert (AssetKey(["marts", "fct_videos"]), "assert_engagement_rate_in_range") in names


def test_s3_marts_match_fixture(s3_build: S3Built) -> None:
    built = s3_build.lake
    assert dict(built.query("select sec_uid, followers_delta from marts.fct_account_daily where capture_date = ?",
                            [D2])) == {LINA: 100, RUNNER: -20}
    # capture days D1, D2 plus the creation days of listed V5 (11-10) and V1 (11-19)
    assert built.query("select capture_date, new_videos from marts.fct_hashtag_daily order by 1") == [
        (date(2026, 11, 10), 1), (date(2026, 11, 19), 1), (D1, 1), (D2, 2)]


def test_credit_usage_from_ledger(s3_build: S3Built) -> None:
    built = s3_build.lake
    expected: dict = defaultdict(lambda: [0, 0, 0])  # requests, failed, credits
    for r in built.rows["credit_ledger"]:
        e = expected[(r["partition_date"], r["asset"], r["endpoint"], r["entity"])]
        e[0] += 1
        e[1] += not 200 <= r["http_status"] < 300
        e[2] += r["credits_used"]
    got = {(d, a, ep, en): [req, failed, credits] for d, a, ep, en, req, failed, credits in built.query(
        "select usage_date, asset, endpoint, entity, requests, failed_requests, credits_used from marts.fct_credit_usage")}
    assert got == dict(expected)
    assert got[(D1, "profiles", "/tiktok/profile", "chef_lina")] == [3, 1, 2]
    # the balance after the group's latest request (a 429 without a balance in between)
    assert built.query("select last_credits_remaining from marts.fct_credit_usage where asset = 'profiles'") == [(98,)]


def test_s3_mart_exports(s3_build: S3Built) -> None:
    built, moto = s3_build.lake, s3_build.moto
    fs = moto.filesystem()
    root = built.lake_url.removeprefix("s3://")
    exported = sorted(p.rsplit("/", 1)[-1] for p in fs.ls(f"{root}/marts"))
    assert exported == sorted(["dim_accounts", "dim_tracked_entities", "fct_account_daily", "fct_account_renames", "fct_comments", "fct_credit_usage", "fct_follow_edges",
                               "fct_hashtag_daily", "fct_search_results", "fct_video_curve", "fct_video_daily", "fct_videos"])
    usage = pq.read_table(io.BytesIO(fs.cat(f"{root}/marts/fct_credit_usage/data.parquet")))
    assert usage.num_rows == 2 and sum(usage.column("credits_used").to_pylist()) == 3


def test_warehouse_reads_without_the_lake_filesystem(s3_build: S3Built) -> None:
    """Staging models are tables: a plain DuckDB connection (no s3 filesystem) reads everything."""
    built = s3_build.lake
    assert built.query("select count(*) from duckdb_views() where schema_name in ('staging', 'marts')") == [(0,)]
    assert built.query("select count(*) from staging.stg_credit_ledger") == [(len(built.rows["credit_ledger"]),)]
