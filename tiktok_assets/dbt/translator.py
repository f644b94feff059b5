"""How dbt nodes become Dagster assets.

Why a subclass: every dbt source is one lake table written by a Python asset keyed
``["tiktok", <table>]``; mapping sources to exactly those keys is what connects the lineage
lake asset -> staging model -> mart. The ``meta.dagster.asset_key`` in ``sources.yml`` says the same,
but the translator does not depend on it, so a source added without meta still links up.
Models keep dagster-dbt's default key (``[<schema>, <model>]``, e.g. ``["marts", "fct_videos"]``)
and get their folder (``staging`` / ``marts``) as group name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey, AutomationCondition
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

LAKE_ASSET_PREFIX = "tiktok"


def after_lake_updates() -> AutomationCondition:
    """Build a model once the lake tables (or models) it reads were updated and none is still running.

    Why not ``AutomationCondition.eager()``: eager also waits until no dependency is *missing*, and a
    model reads every daily partition of a lake table, most of which are never captured (snapshot
    assets exist only from the day tracking began). A model would then never run. This condition
    keeps eager's other parts: react to any updated dependency (a partition materialized by the
    daily schedule, a backfill or a click in the UI), once per update, and wait while a dependency
    or the model itself is still in progress, so the schedule's two runs lead to one dbt build.
    """
    return (
        AutomationCondition.any_deps_updated().since_last_handled()
        & ~AutomationCondition.any_deps_in_progress()
        & ~AutomationCondition.in_progress()
    ).with_label("after its lake tables update")


class TiktokDbtTranslator(DagsterDbtTranslator):
    """Sources -> ``["tiktok", <table>]``; models grouped by their folder under ``models/``."""

    def __init__(self, settings: DagsterDbtTranslatorSettings | None = None) -> None:
        # Source metadata stays off: the lake assets own their table metadata, and per-source dep
        # metadata from dbt could disagree with it on the shared asset key.
        super().__init__(settings or DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_source_metadata=False))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey([LAKE_ASSET_PREFIX, dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_automation_condition(self, dbt_resource_props: Mapping[str, Any]) -> AutomationCondition | None:
        return after_lake_updates()

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        if dbt_resource_props["resource_type"] == "model" and len(fqn) > 2:
            return fqn[1]  # [project, folder, ..., model]
        return super().get_group_name(dbt_resource_props)
