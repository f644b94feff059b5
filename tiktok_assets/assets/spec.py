"""Decorator arguments shared by all eleven TikTok assets (one place for naming, partitions, checks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dagster import AssetKey

from ..checks import KEY_PREFIX, entities_ok_spec
from ..partitions import daily_partitions, single_run

GROUP = "tiktok"
SNAPSHOT = "snapshot"
EVENT = "event"


def asset_kwargs(name: str, *, semantics: str, description: str, deps: Sequence[str] = ()) -> dict[str, Any]:
    """``@asset(**asset_kwargs(...))``: key ``tiktok/<name>``, daily partitions, single-run backfills."""
    return {
        "name": name,
        "key_prefix": [KEY_PREFIX],
        "group_name": GROUP,
        "partitions_def": daily_partitions,
        "backfill_policy": single_run,
        "deps": [AssetKey([KEY_PREFIX, d]) for d in deps],
        "check_specs": [entities_ok_spec(name)],
        "description": description,
        "kinds": {"parquet"},
        "tags": {"tiktok/semantics": semantics},
        "metadata": {"semantics": semantics, "lake_table": name},
    }


def asset_key(name: str) -> AssetKey:
    return AssetKey([KEY_PREFIX, name])
