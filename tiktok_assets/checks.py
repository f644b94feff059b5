"""The ``entities_ok`` asset check attached to every TikTok asset.

Why a check rather than a failed run: one deleted account (e.g. ``gone_creator``) must not throw
away the partitions written for the healthy ones. The asset still materializes, and this check,
evaluated in the same step (``check_specs`` + ``AssetCheckResult`` in the ``MaterializeResult``),
fails with severity ERROR and names every failing entity and why, so the UI shows the problem
next to the materialization that succeeded for the others.
"""

from __future__ import annotations

from dagster import AssetCheckSpec, AssetKey

from .assets.asset_run import ENTITIES_CHECK

KEY_PREFIX = "tiktok"


def entities_ok_spec(asset_name: str) -> AssetCheckSpec:
    return AssetCheckSpec(
        ENTITIES_CHECK,
        asset=AssetKey([KEY_PREFIX, asset_name]),
        description="Every selected tracked entity was fetched and written; fails (ERROR) naming the entities "
        "that were not found or errored. Healthy entities' partitions are written regardless.",
    )

