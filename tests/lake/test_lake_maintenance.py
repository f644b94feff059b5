"""The maintenance asset compacts closed days only and vacuums with the retention the user sets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from dagster import materialize
from deltalake import DeltaTable

from lake_api_items import video
from tiktok_assets.assets.maintenance import lake_maintenance, retention_hours
from tiktok_assets.assets.windows import today_utc
from tiktok_assets.lake.flatten import flatten
from tiktok_assets.lake.store import Lake, LakeResource


def _write(lake, day, n):
    at = datetime.now(timezone.utc).replace(microsecond=0)
    for i in range(n):
        lake.write_partition("posts", day, f"acct{i}", flatten("posts", [video(f"{day:%d}{i}")], partition_date=day,
                                                              tracked_entity=f"acct{i}", captured_at=at))


def _files_per_day(lake):
    files = lake.file_uris("posts")
    return {d: sum(f"partition_date={d}" in f for f in files) for d in {f.split("partition_date=")[1][:10] for f in files}}


def test_maintenance_compacts_closed_days_and_vacuums(tmp_path, monkeypatch):
    lake = Lake(str(tmp_path / "lake"))
    today, closed = today_utc(), today_utc() - timedelta(days=3)
    _write(lake, closed, 8)
    _write(lake, today, 3)
    rows_before = sorted(DeltaTable(lake.table_uri("posts")).to_pyarrow_dataset().to_table()["aweme_id"].to_pylist())
    assert _files_per_day(lake) == {closed.isoformat(): 8, today.isoformat(): 3}
    monkeypatch.setenv("TIKTOK_LAKE_VACUUM_RETENTION_HOURS", "0")
    assert retention_hours() == 0
    result = materialize([lake_maintenance], resources={"lake": LakeResource(lake_url=lake.url)})
    assert result.success
    md = {k: v.value for k, v in result.get_asset_materialization_events()[0].materialization.metadata.items()}
    posts = {r.data["table"]: r.data for r in md["tables"].records}["posts"]
    assert (posts["files_before"], posts["files_after"], posts["compacted_away"]) == (11, 4, 8)
    assert _files_per_day(lake) == {closed.isoformat(): 1, today.isoformat(): 3}  # today is still open
    assert md["files_vacuumed"] >= 8  # the superseded small files are gone from the store
    on_disk = [p for p in lake.fs.find(lake.table_uri("posts")) if p.endswith(".parquet")]
    assert len(on_disk) == 4
    rows_after = sorted(DeltaTable(lake.table_uri("posts")).to_pyarrow_dataset().to_table()["aweme_id"].to_pylist())
    assert rows_after == rows_before
    assert lake.partitions("posts") == sorted([(closed, f"acct{i}") for i in range(8)] + [(today, f"acct{i}") for i in range(3)])


def test_default_retention_keeps_a_week(monkeypatch):
    monkeypatch.delenv("TIKTOK_LAKE_VACUUM_RETENTION_HOURS", raising=False)
    assert retention_hours() == 168.0
