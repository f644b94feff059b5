"""Scale of the definitions (1,000 tracked accounts x 730 days) and the S3 (moto) lake variant."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.assets.conftest import ALL
from tests.assets.test_assets_local import assert_universe_truth
from tiktok_assets.assets.windows import today_utc


def test_thousand_accounts_two_years_loads(tmp_path, monkeypatch) -> None:
    from tiktok_assets.wiring import build_definitions
    from tiktok_assets.partitions import daily_partitions
    from tiktok_assets.tracking import load_tracked, track

    f = tmp_path / "tracked.yaml"
    monkeypatch.setenv("TIKTOK_TRACKED_FILE", str(f))
    track("accounts", [f"acct_{i:04d}" for i in range(1000)])
    assert len(load_tracked().accounts) == 1000
    defs = build_definitions()
    keys = daily_partitions.get_partition_keys(current_time=datetime(2025, 12, 30, 12, tzinfo=UTC))
    assert len(keys) == 730
    graph = defs.resolve_asset_graph()
    tiktok = [k for k in graph.get_all_asset_keys() if k.path[0] == "tiktok" and k.path[1] in ALL]
    assert len(tiktok) == 11 and {graph.get(k).group_name for k in tiktok} == {"tiktok"}
    # event assets on the daily partitions, snapshots unpartitioned (captured now)
    from tiktok_assets.catalog import EVENT_NAMES
    assert {k.path[1]: graph.get(k).partitions_def for k in tiktok} == \
        {n: daily_partitions if n in EVENT_NAMES else None for n in ALL}


def test_all_assets_on_s3(make_pipeline, simulator, moto_s3, s3_bucket) -> None:
    p = make_pipeline(simulator, lake_url=f"s3://{s3_bucket}/lake", s3_endpoint_url=moto_s3.endpoint_url)
    result = p.run(ALL, today_utc())
    assert result.success
    assert_universe_truth(p)
    assert all(ev.passed for ev in result.get_asset_check_evaluations())
