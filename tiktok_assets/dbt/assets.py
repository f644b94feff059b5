"""The dbt models and tests as Dagster assets and asset checks.

Importing this module needs ``dbt_project/target/manifest.json``: ``make`` builds it at install
(``python -m tiktok_assets.dbt.prepare``), and :func:`ensure_manifest` rebuilds it here, with the
venv's own ``dbt``, only when a project file is newer (an edited model). Loading from a prepared
manifest takes a few seconds instead of a 16-22 s ``dbt parse`` per load.

Pool: dbt writes one DuckDB file, and DuckDB allows one writer, so every dbt step claims the
``duckdb_warehouse`` pool (limit 1 in the shipped ``dagster.yaml``).
At run time the asset hands dbt absolute ``TIKTOK_LAKE_URL`` / ``TIKTOK_WAREHOUSE`` values (read
from the environment when the run starts, relative ones taken against the repo root).
"""

# No `from __future__ import annotations`: Dagster inspects the real `context` annotation.
from collections.abc import Iterator
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from tiktok_assets.dbt.project import dbt_env, ensure_warehouse_dir, patched_environ, tiktok_dbt_project
from tiktok_assets.dbt.runner import (  # re-exported: the public entry points live with the assets
    DEFAULT_THREADS,
    DbtBuildSummary,
    dbt_resource,
    ensure_manifest,
    prepare_manifest,
    run_dbt_build,
)
from tiktok_assets import settings
from tiktok_assets.dbt.row_counts import counted
from tiktok_assets.dbt.translator import TiktokDbtTranslator
from tiktok_assets.pools import WAREHOUSE_POOL

__all__ = ["DbtBuildSummary", "dbt_resource", "ensure_manifest", "prepare_manifest", "run_dbt_build", "tiktok_dbt_assets"]

ensure_manifest()  # parses only when the manifest is missing or older than the project files


@dbt_assets(
    manifest=tiktok_dbt_project.manifest_path,
    project=tiktok_dbt_project,
    dagster_dbt_translator=TiktokDbtTranslator(),
    name="tiktok_dbt_models",
    pool=WAREHOUSE_POOL,
)
def tiktok_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """``dbt build`` of the selected models: staging and mart tables, mart Parquet exports, tests."""
    env = dbt_env()
    ensure_warehouse_dir(env)
    with patched_environ(env):
        invocation = dbt.cli(["build", "--threads", str(DEFAULT_THREADS)], context=context)
    yield from counted(invocation.stream(), invocation.manifest, env[settings.TIKTOK_WAREHOUSE])
