"""The dbt assets inside Dagster: lineage from the lake assets, groups, checks, and the resource."""

from __future__ import annotations

import json

from dagster import AssetKey, Definitions

from tiktok_assets.dbt.project import tiktok_dbt_project
from tiktok_assets.dbt.runner import ensure_manifest, manifest_is_stale
from tiktok_assets.dbt.translator import TiktokDbtTranslator
from tiktok_assets.lake.schemas import SCHEMAS


def test_definitions_wire_lake_assets_into_staging() -> None:
    manifest_path = ensure_manifest()  # offline `dbt parse` when missing/stale; what `make test` relies on
    assert manifest_path == tiktok_dbt_project.manifest_path and not manifest_is_stale()
    from tiktok_assets.dbt.assets import dbt_resource, tiktok_dbt_assets

    defs = Definitions(assets=[tiktok_dbt_assets], resources={"dbt": dbt_resource()})
    graph = defs.resolve_asset_graph()
    for table in SCHEMAS:
        staging = AssetKey(["staging", f"stg_{table}"])
        assert AssetKey(["tiktok", table]) in graph.get(staging).parent_keys, table
        assert graph.get(staging).group_name == "staging"
    videos = graph.get(AssetKey(["marts", "fct_videos"]))
    assert videos.group_name == "marts"
    assert AssetKey(["marts", "fct_video_daily"]) in videos.parent_keys
    assert AssetKey(["staging", "stg_posts"]) in videos.parent_keys
    assert "latest stats" in (videos.description or "")
    # dbt's generic tests surface as asset checks on their model
    checks = {(c.asset_key, c.name) for c in tiktok_dbt_assets.check_specs}
    assert (AssetKey(["marts", "fct_videos"]), "unique_fct_videos_video_id") in checks
    materializable = {k for k in graph.get_all_asset_keys() if graph.get(k).is_materializable}
    assert len(materializable) == 25  # 13 staging + 12 marts


def test_translator_maps_every_source_and_keeps_model_keys() -> None:
    manifest = json.loads(ensure_manifest().read_text())
    translator = TiktokDbtTranslator()
    sources = {p["name"]: translator.get_asset_key(p) for p in manifest["sources"].values()}
    assert sources == {t: AssetKey(["tiktok", t]) for t in SCHEMAS}
    model = next(p for p in manifest["nodes"].values() if p["name"] == "dim_accounts")
    assert translator.get_asset_key(model) == AssetKey(["marts", "dim_accounts"])
    assert translator.get_group_name(model) == "marts"
