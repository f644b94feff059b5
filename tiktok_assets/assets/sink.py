"""Stream API pages into the (day, entity) partitions of a window, one row group at a time.

Why: an event asset's pass can return a million comments for one account. Collecting them before
writing would hold every item (and its ``raw`` JSON) in memory; here each page is flattened and
appended to the writer of its create day as it arrives, so memory is bounded by the writers' buffers,
not by the stream. Every day of the window gets a partition, empty days included. Writers commit
only when the whole entity succeeded; on an error they all abort, and the previously committed
partitions stay exactly as they were.

Thread-safe: several streams of one entity (each video's comments) run concurrently and add to the
same sink; flattening happens outside the lock, appends to the writers under it. The writers'
buffers are capped together (``BUFFER_BYTES``): when a window's writers hold more, the fullest ones
write a (smaller) row group early, so a 30-day window cannot hold 30 partially filled row groups.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import date
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..lake.flatten import flatten
from .windows import utc_day

if TYPE_CHECKING:
    from .fanout import EntityOutcome
    from .runtime import AssetRun

BUFFER_BYTES = 4 * 2**20  # all writers of one sink together (measured: 24 MB cost +70 MB RSS at 200k comments)


class DaySink:
    """``with DaySink(run, key, outcome) as sink: sink.add(page_items, extra)`` for one entity.

    Or explicitly: ``sink.add(...)`` from any thread, then ``sink.commit()`` or ``sink.abort()``.
    """

    def __init__(self, run: AssetRun, key: str, outcome: EntityOutcome, table: str | None = None) -> None:
        self.run, self.key, self.outcome = run, key, outcome
        self.table = table or run.name
        self._writers: dict[date, Any] = {}
        self._lock = threading.Lock()
        self._done = False

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
        batches = [(day, flatten(self.table, day_items, partition_date=day, tracked_entity=self.key,
                                 captured_at=self.run.captured_at, extra=extra)) for day, day_items in by_day.items()]
        return self._append(batches)

    def add_rows(self, day: date, rows: pa.RecordBatch | pa.Table) -> int:
        """Append rows already in the table's schema (kept from the committed partition of ``day``)."""
        batches = rows.to_batches() if isinstance(rows, pa.Table) else [rows]
        return self._append([(day, b) for b in batches if b.num_rows])

    def _append(self, batches: Iterable[tuple[date, pa.RecordBatch]]) -> int:
        kept = 0
        with self._lock:
            if self._done:
                raise RuntimeError(f"{self.table}/{self.key}: sink already committed or aborted")
            for day, batch in batches:
                self._writer(day).write(batch)
                if self.run.preview is None and batch.num_rows:
                    self.run.preview = pa.Table.from_batches([batch.slice(0, 5)])
                kept += batch.num_rows
            self._cap_buffers()
            self.outcome.rows += kept
        return kept

    def _cap_buffers(self) -> None:
        total = sum(w.buffered_bytes for w in self._writers.values())
        if total <= BUFFER_BYTES:
            return
        for w in sorted(self._writers.values(), key=lambda w: w.buffered_bytes, reverse=True):
            total -= w.buffered_bytes
            w.flush()
            if total <= BUFFER_BYTES // 2:
                return

    def commit(self) -> None:
        """Write every day of the window (empty days as valid empty files) and commit them all."""
        with self._lock:
            self._done = True
            for day in self.run.window.days():
                self._writer(day)
            try:
                for w in self._writers.values():
                    w.commit()
            except BaseException:
                for w in self._writers.values():
                    w.abort()  # no-op for the ones already committed
                raise
            self.outcome.partitions += len(self._writers)
            self._writers = {}

    def abort(self) -> None:
        """Drop everything staged; committed partitions stay as they were."""
        with self._lock:
            self._done = True
            for w in self._writers.values():
                w.abort()
            self._writers = {}

    def __enter__(self) -> DaySink:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc_type is not None:
            self.abort()
        else:
            self.commit()
