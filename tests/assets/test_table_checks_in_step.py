"""The table checks run in their asset's family step (``assets/table_checks.py``): with the asset, after
its commit; selected without it, alone in that step and without a request."""

from __future__ import annotations

from datetime import timedelta

from dagster import AssetCheckKey, AssetKey, DagsterInstance

from tiktok_assets.assets.windows import today_utc
from tiktok_assets.wiring import build_definitions


def _key(asset: str, check: str) -> AssetCheckKey:
    return AssetCheckKey(AssetKey(["tiktok", asset]), check)


def _evaluated(result) -> set[tuple[str, str, bool]]:
    return {(e.asset_key.path[-1], e.check_name, e.passed) for e in result.get_asset_check_evaluations()}


def test_checks_selected_without_their_asset_run_in_the_family_step_and_send_nothing(pipeline) -> None:
    pipeline.track(accounts=["pixel_pets"])
    day = today_utc() - timedelta(days=1)
    instance = DagsterInstance.ephemeral()
    first = pipeline.run(["posts", "comments"], day, instance=instance)
    assert first.success
    assert {("posts", "schema_drift", True), ("comments", "schema_drift", True),
            ("posts", "entities_fresh", True)} <= _evaluated(first)
    sent = len(pipeline.sim.request_log)
    assert sent > 0

    job = build_definitions(include_dbt=False).resolve_implicit_global_asset_job_def()
    tags = {"dagster/asset_partition_range_start": day.isoformat(), "dagster/asset_partition_range_end": day.isoformat()}
    # the UI's "Execute" on two checks of posts: no asset selected
    alone = job.get_subset(asset_selection=set(), asset_check_selection={_key("posts", "schema_drift"),
                                                                         _key("posts", "entities_fresh")})
    result = alone.execute_in_process(instance=instance, tags=tags, raise_on_error=False)
    assert result.success
    assert [s.step_key for s in instance.get_run_step_stats(result.run_id)] == ["tiktok_events"]
    assert _evaluated(result) == {("posts", "schema_drift", True), ("posts", "entities_fresh", True)}
    assert not result.get_asset_materialization_events()
    assert len(pipeline.sim.request_log) == sent  # nothing sent, nothing spent

    # an asset with a check of another asset of its family: the asset runs, the other's check too
    mixed = job.get_subset(asset_selection={AssetKey(["tiktok", "posts"])},
                           asset_check_selection={_key("posts", "schema_drift"), _key("comments", "schema_drift")})
    result = mixed.execute_in_process(instance=instance, tags=tags, raise_on_error=False)
    assert result.success
    assert _evaluated(result) == {("posts", "schema_drift", True), ("comments", "schema_drift", True)}
    assert {e.materialization.asset_key.path[-1] for e in result.get_asset_materialization_events()} == {"posts"}
    assert len(pipeline.sim.request_log) > sent
