"""Stream API pages into the (day, entity) partitions of a window, one row group at a time.

Why: an event asset's pass can return a million comments for one account. Collecting them before
writing would hold every item (and its ``raw`` JSON) in memory; here each page is flattened and
appended to the writer of its create day as it arrives, so memory is bounded by the writers' row
group buffers, not by the stream. Every day of the window gets a partition, empty days included.
Writers commit only when the whole entity succeeded; on an error they all abort, and the
previously committed partitions stay exactly as they were.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..lake.flatten import flatten
from .windows import utc_day

if TYPE_CHECKING:
    from .fanout import EntityOutcome
    from .runtime import AssetRun


class DaySink:
    """``with DaySink(run, key, outcome) as sink: sink.add(page_items, extra)`` for one entity."""

    def __init__(self, run: AssetRun, key: str, outcome: EntityOutcome, table: str | None = None) -> None:
        self.run, self.key, self.outcome = run, key, outcome
        self.table = table or run.name
        self._writers: dict[date, Any] = {}

    def _writer(self, day: date) -> Any:
        if day not in self._writers:
            w = self.run.lake.writer(self.table, day, self.key)
            w.open()
            self._writers[day] = w
        return self._writers[day]

    def add(self, items: Sequence[dict[str, Any]], extra: dict[str, Any] | None = None) -> int:
        """Append the items created inside the window; ``extra`` values are scalars. Returns rows kept."""
        by_day: dict[date, list[dict[str, Any]]] = {}
        for item in items:
            day = utc_day(item.get("create_time"))
            if day is not None and self.run.window.contains(day):
                by_day.setdefault(day, []).append(item)
        kept = 0
        for day, day_items in by_day.items():
            batch = flatten(self.table, day_items, partition_date=day, tracked_entity=self.key,
                            captured_at=self.run.captured_at, extra=extra)
            self._writer(day).write(batch)
            if self.run.preview is None and batch.num_rows:
                self.run.preview = pa.Table.from_batches([batch.slice(0, 5)])
            kept += batch.num_rows
        self.outcome.rows += kept
        return kept

    def __enter__(self) -> DaySink:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc_type is not None:
            for w in self._writers.values():
                w.abort()
            return
        for day in self.run.window.days():  # empty days still get a (valid, empty) file
            self._writer(day)
        for w in self._writers.values():
            w.commit()
        self.outcome.partitions += len(self._writers)
