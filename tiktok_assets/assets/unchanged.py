"""Skip unchanged streams and keep their committed rows: the one skip-if-unchanged mechanism.

Every asset that skips uses it, with one fingerprint format (``{"streams": {stream: parent count}}``
per captured (day, entity), see :mod:`.state`): the follower lists and hashtag feeds (one stream per
entity, :func:`unchanged_single`) and comments and replies (many streams per entity, :func:`decide`).
Why: comments and replies are captured per (day, account), each capture mixing several streams
(one per video / per parent comment). A stream whose parent count is unchanged since the window was
captured (see :mod:`.state`) is not fetched. A capture replaces only the rows captured on the same
UTC day, so rows of earlier capture days stay as they are (they are that stream's latest
observation); the skipped streams' rows of *this* capture day are copied into the new capture, batch
by batch (bounded memory). When *every* stream is unchanged and the window's captures hold exactly
the selected streams, nothing is rewritten at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from .state import StreamState, usable_count

if TYPE_CHECKING:
    from .asset_run import AssetRun
    from .fanout import EntityOutcome
    from .sink import DaySink

COPY_BATCH_ROWS = 4096


@dataclass
class Decision:
    skip: set[str]  # streams not to fetch (their rows are copied)
    whole: bool  # nothing to fetch and nothing to rewrite: leave the partitions as they are


def decide(run: AssetRun, state: StreamState, key: str, current: dict[str, int | None]) -> Decision:
    """Which of ``current`` (stream -> parent count now) can be skipped for entity ``key``.

    A stream is skipped only if every day of the window has a committed partition AND a fingerprint
    recording the same usable count for it; ``refresh: true`` skips nothing.
    """
    if getattr(run.config, "refresh", False) or not current:
        return Decision(set(), False)
    recorded: list[dict[str, Any]] = []
    for day in run.window.days():
        doc = state.load(day, key)
        if doc is None or not isinstance(doc.get("streams"), dict) or not run.lake.exists(run.name, day, key):
            return Decision(set(), False)
        recorded.append(doc["streams"])
    skip = {s for s, n in current.items()
            if usable_count(n) is not None and all(r.get(s) == n for r in recorded)}
    whole = skip == set(current) and all(set(r) == set(current) for r in recorded)
    return Decision(skip, whole)


def unchanged_single(run: AssetRun, state: StreamState, key: str, stream: str, count: int | None,
                     outcome: EntityOutcome, what: str) -> bool:
    """For an entity captured as one stream (a follower list, a hashtag feed): is every day of the
    window already captured from this very stream at this parent count (``what``)? Then nothing is
    fetched, and the entity's outcome says so."""
    if not decide(run, state, key, {stream: count}).whole:
        return False
    outcome.skipped = 1
    outcome.notes.append(f"{what} unchanged ({count}): partition kept")
    return True


def copy_rows(run: AssetRun, sink: DaySink, key: str, mask: Callable[[pa.RecordBatch], pa.Array],
              days: list[date] | None = None) -> int:
    """Copy ``key``'s rows of this capture day (on ``days``, default the window's) selected by
    ``mask(batch)`` into ``sink`` (the new capture replaces them), batch by batch."""
    copied = 0
    for batch in run.lake.scan(run.name, dates=run.window.days() if days is None else days, keys=[key],
                               captured_on=run.captured_at.date(), batch_size=COPY_BATCH_ROWS):
        kept = batch.filter(mask(batch))
        if not kept.num_rows:
            continue
        for day in set(kept.column("partition_date").to_pylist()):
            day_rows = kept.filter(pc.equal(kept.column("partition_date"), pa.scalar(day, pa.date32())))
            copied += sink.add_rows(day, day_rows)
    return copied


def in_set(column: str, values: set[str]) -> Callable[[pa.RecordBatch], pa.Array]:
    value_set = pa.array(sorted(values), pa.string())
    return lambda b: pc.fill_null(pc.is_in(b.column(column), value_set=value_set), False)


def not_in_set(column: str, values: set[str]) -> Callable[[pa.RecordBatch], pa.Array]:
    selected = in_set(column, values)
    return lambda b: pc.invert(selected(b))


def pair_in_set(first: str, second: str, values: set[str], sep: str = "/") -> Callable[[pa.RecordBatch], pa.Array]:
    value_set = pa.array(sorted(values), pa.string())
    return lambda b: pc.fill_null(pc.is_in(pc.binary_join_element_wise(b.column(first), b.column(second), sep),
                                           value_set=value_set), False)


def save_all(run: AssetRun, state: StreamState, key: str, streams: dict[str, int | None]) -> None:
    """After the commit: record the counts the window's partitions were built from."""
    for day in run.window.days():
        state.save(day, key, {"streams": streams, "window": str(run.window)})
