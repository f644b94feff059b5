"""Issue 10 §3 "Schema drift": the check fires on a field the API added, naming it, its count and where."""

from __future__ import annotations

from datetime import date, datetime, timezone

from dagster import AssetCheckKey, AssetKey

from lake_api_items import video
from tiktok_assets.assets.families import tiktok_events, tiktok_snapshots
from tiktok_assets.assets.table_checks import evaluate_table_checks
from tiktok_assets.budget.checks import LedgerWindow
from tiktok_assets.lake.drift import drift_report, typed_fields
from tiktok_assets.lake.flatten import flatten
from tiktok_assets.lake.schemas import API_TABLES

D1, D2 = date(2026, 11, 20), date(2026, 11, 21)


def capture(lake, day, items, entity="tiktok"):
    at = datetime(day.year, day.month, day.day, 6, tzinfo=timezone.utc)
    lake.write_partition("posts", day, entity, flatten("posts", items, partition_date=day, tracked_entity=entity, captured_at=at))


def test_typed_fields_come_from_the_column_mapping():
    assert {"aweme_id", "desc", "statistics", "author", "music"} <= typed_fields("posts")


def test_first_capture_has_no_baseline_then_a_new_field_is_reported(local_lake):
    capture(local_lake, D1, [video("1"), video("2")])
    first = drift_report(local_lake, "posts")
    assert (first.capture_day, first.baseline_days, first.drifted) == (D1, [], False)
    capture(local_lake, D2, [video("1"), video("2")])
    assert not drift_report(local_lake, "posts").drifted  # same fields as before
    added = [{**video("3"), "ai_label": {"kind": "generated"}}, {**video("4"), "ai_label": None}, video("5")]
    capture(local_lake, D2, added, entity="other")
    report = drift_report(local_lake, "posts")
    assert report.drifted and report.capture_day == D2 and report.baseline_days == [D1]
    assert report.new_fields == {"ai_label": 2}
    assert report.examples["ai_label"] == "posts partition_date=2026-11-21 tracked_entity='other': raw.ai_label"


def test_the_asset_check_warns_through_dagster(local_lake):
    capture(local_lake, D1, [video("1")])
    capture(local_lake, D2, [{**video("2"), "brand_new": 1}])
    selected = [AssetCheckKey(AssetKey(["tiktok", "posts"]), "schema_drift"),
                AssetCheckKey(AssetKey(["tiktok", "videos"]), "schema_drift")]  # another table's: not evaluated here
    results = {r.check_name: r for r in evaluate_table_checks(local_lake, "posts", selected, run_id="r1", ledger=LedgerWindow(local_lake))}
    assert list(results) == ["schema_drift"]  # only the selected check of this table
    result = results["schema_drift"]
    assert result.asset_key == AssetKey(["tiktok", "posts"])
    assert not result.passed and result.severity.value == "WARN"
    assert result.metadata["new_fields"].value == {"brand_new": 1}
    assert "brand_new in 1 row(s)" in result.description
    # every API table carries the check, in its family's step
    drift = {k.asset_key.path[-1] for a in (tiktok_snapshots, tiktok_events) for k in a.check_keys if k.name == "schema_drift"}
    assert drift == set(API_TABLES)
