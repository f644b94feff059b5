"""Decorator arguments shared by all eleven TikTok assets (one place for naming, partitions, checks)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import warnings

from dagster import AssetKey, BetaWarning

# ``backfill_policy`` is marked beta in dagster 1.13, and single-run backfills are a deliberate design
# choice here (tested in tests/assets/test_backfill.py); don't repeat the warning for all 11 assets.
warnings.filterwarnings("ignore", message=r".*backfill_policy.*", category=BetaWarning)

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
