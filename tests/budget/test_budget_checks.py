"""The spend-band and freshness checks: pure logic on real lake data, and as Dagster definitions."""

from __future__ import annotations

from datetime import timedelta

from dagster import AssetKey

from tests.budget.budget_helpers import NOW, entries
from tiktok_assets.budget.checks import (
    BAND_CHECK,
    FRESH_CHECK,
    credit_band,
    stale_entities,
)
from tiktok_assets.budget.ledger_sink import flush_ledger
from tiktok_assets.budget.usage import read_ledger
from tiktok_assets.lake.flatten import flatten


def rows(lake):
    return read_ledger(lake).to_pylist()


def test_band_flags_a_sudden_10x(lake):
    for day, n in enumerate([4, 5, 6]):
        flush_ledger(lake, entries(n, at=NOW + timedelta(days=day)), f"run-{day}")
    flush_ledger(lake, entries(40, at=NOW + timedelta(days=3)), "run-3")  # median 5 -> 8x: fine
    ok = credit_band(rows(lake), "posts")
    assert (ok.passed, ok.run_id, ok.value, ok.median, ok.previous_runs) == (True, "run-3", 40.0, 5.0, 3)
    flush_ledger(lake, entries(60, at=NOW + timedelta(days=4)), "run-4")  # median of 4,5,6,40 = 5.5 -> 10.9x
    bad = credit_band(rows(lake), "posts")
    assert not bad.passed and bad.run_id == "run-4"
    assert bad.description == "60.0 credits per entity-day is ABOVE 10x the median 5.5 of 4 earlier runs"
    # an earlier run can be checked explicitly (the check passes context.run_id)
    assert credit_band(rows(lake), "posts", run_id="run-3").passed


def test_band_normalizes_by_days_and_entities(lake):
    flush_ledger(lake, entries(3, entity="a") + entries(3, entity="b"), "r1")  # 3 per entity-day
    flush_ledger(lake, entries(3, entity="a", at=NOW + timedelta(days=1)), "r2")
    flush_ledger(lake, entries(30, entity="a", at=NOW + timedelta(days=2), partition="2026-11-01..2026-11-10"), "r3")
    band = credit_band(rows(lake), "posts")
    assert (band.value, band.median, band.passed) == (3.0, 3.0, True)


def test_band_needs_history(lake):
    flush_ledger(lake, entries(50), "r1")
    band = credit_band(rows(lake), "posts")
    assert band.passed and band.description.endswith("only 0 earlier run(s), no band yet")


def write_snapshot(lake, table, key, captured_at):
    batch = flatten(table, [{"uid": "1", "unique_id": key}], partition_date=captured_at.date(),
                    tracked_entity=key, captured_at=captured_at)
    lake.write_partition(table, captured_at.date(), key, [batch])


def test_snapshot_freshness_uses_captured_at(lake):
    write_snapshot(lake, "profiles", "chef_lina", NOW - timedelta(hours=25))
    write_snapshot(lake, "profiles", "urban_runner", NOW - timedelta(hours=27))
    stale = stale_entities(lake, "profiles", ["chef_lina", "urban_runner", "pixel_pets"], NOW, timedelta(hours=26))
    assert stale == {"urban_runner": "2026-11-19T09:00:00+00:00", "pixel_pets": None}


def test_event_freshness_uses_partitions_even_when_empty(lake):
    lake.write_partition("posts", (NOW - timedelta(days=1)).date(), "chef_lina",
                         [flatten("posts", [], partition_date=NOW.date(), tracked_entity="chef_lina", captured_at=NOW)])
    lake.write_partition("posts", (NOW - timedelta(days=4)).date(), "urban_runner",
                         [flatten("posts", [], partition_date=NOW.date(), tracked_entity="urban_runner", captured_at=NOW)])
    assert stale_entities(lake, "posts", ["chef_lina", "urban_runner"], NOW, timedelta(hours=50)) == {
        "urban_runner": "2026-11-16"}


def test_table_checks_are_specs_of_their_family_step():
    """Each table check is a check spec of the asset's own family ``multi_asset``, evaluated in that
    step (``assets/table_checks.py``): keys as before, no separate check step."""
    from tiktok_assets.assets.families import tiktok_events

    keys = sorted((k.asset_key.path[-1], k.name) for k in tiktok_events.check_keys
                  if k.asset_key.path[-1] in ("posts", "videos") and k.name != "entities_ok")
    assert keys == [("posts", BAND_CHECK), ("posts", FRESH_CHECK), ("posts", "schema_drift"),
                    ("videos", BAND_CHECK), ("videos", "schema_drift")]  # videos: keyed by source, no freshness
    assert tiktok_events.node_def.name == "tiktok_events"
