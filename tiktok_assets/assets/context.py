"""The per-asset view of a Dagster execution that an asset body sees (:class:`AssetContext`).

Why a view instead of Dagster's context: the eleven bodies run inside two ``@multi_asset`` s
(``families.py``), several at once, each in its own thread. Dagster's context belongs to the step's
thread and speaks for the whole family; a body needs only its own asset's facts (key, window, run
id and tags, the logger) and a way to report that reaches Dagster through the step's thread.
``add_metadata`` therefore does not call Dagster: it hands the call to ``deliver``, which the
family runner queues and performs on the step's thread, in order with the body's yielded events.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dagster import AssetKey, TimeWindow


@dataclass(frozen=True)
class AssetContext:
    name: str  # asset name == lake table name
    asset_key: AssetKey
    partitioned: bool  # event assets (daily partitions); snapshots have none
    time_window: TimeWindow | None  # the run's partition (range); None for a snapshot
    run_id: str
    run_tags: Mapping[str, str]
    log: Any  # Dagster's logger: safe to call from any thread
    # ``deliver(call)``: ``call(dagster_context)`` runs later on the step's thread, in order with the events
    deliver: Callable[[Callable[[Any], None]], None]
    entities_check: bool = True  # ``entities_ok`` selected in this run (a UI launch may deselect it)

    def add_metadata(self, metadata: Mapping[str, Any], partition_key: str | None = None) -> None:
        """``context.add_asset_metadata`` for this asset (and partition), performed on the step's thread."""
        md, key = dict(metadata), self.asset_key
        self.deliver(lambda ctx: ctx.add_asset_metadata(md, asset_key=key, partition_key=partition_key))
