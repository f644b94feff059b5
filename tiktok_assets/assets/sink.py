"""Stream API pages into one entity's capture of a window, with memory bounded by the lake batch.

The one write path: every asset (events and snapshots alike) stages its rows through a sink.
Why: an event asset's pass can return a million comments for one account, a follower list or a
hashtag feed thousands of entries. Collecting them before writing would hold every item (and its
``raw`` JSON) in memory; here each page is flattened and staged in the run's lake batch for its day
(its create day, or the capture day given as ``day``) as it arrives. The batch holds at most its
buffer in memory and spills the rest to a local temporary file (``tiktok_assets/lake/batch.py``),
so memory is bounded however long the stream. The entity's rows become visible only when it
succeeded as a whole: :meth:`DaySink.commit` marks it finished (its rows join the run's next Delta
commit, which replaces this capture day's rows of the window and adds the new ones), and
:meth:`DaySink.abort` drops them, leaving every committed observation as it was.

Thread-safe: several streams of one entity (each video's comments) run concurrently and add to the
same sink; flattening happens outside the lock, staging under the batch's lock.

Pages are held as Python columns until the entity has ``HOLD_ROWS`` of them (or commits), then
converted to Arrow in one call. Why: every conversion releases and retakes the GIL once per column,
and on a run's 8 sending threads each retake waited for the others (a 50-comment page took 11-17 ms
to convert beside busy threads, 0.3 ms alone; see :func:`tiktok_assets.lake.flatten.to_batch`).
A value the schema cannot hold fails the entity at that conversion, as it did at its page.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from datetime import date
from types import TracebackType
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ..lake.flatten import flatten_columns, to_batch
from .windows import group_by_day

HOLD_ROWS = 1_000  # rows an entity holds as Python columns before one conversion (a few MB at most)

if TYPE_CHECKING:
    from .fanout import EntityOutcome
    from .asset_run import AssetRun


class DaySink:
    """``with DaySink(run, key, outcome) as sink: sink.add(page_items, extra)`` for one entity.

    Or explicitly: ``sink.add(...)`` from any thread, then ``sink.commit()`` or ``sink.abort()``.
    """

    def __init__(self, run: AssetRun, key: str, outcome: EntityOutcome, table: str | None = None, *,
                 whole_window: bool = True) -> None:
        """``whole_window``: the capture covers every day of the window (empty days too); False: only
        the days it staged rows for (``videos``: a source's capture of the days its new details fall on)."""
        self.run, self.key, self.outcome = run, key, outcome
        self.table = table or run.name
        self.batch = run.batch(self.table)
        self.whole_window = whole_window
        self.days: set[date] = set()  # the days rows were staged (or are held) for
        self._held: dict[date, dict[str, list[Any]]] = {}  # rows not yet converted, per day
        self._held_rows = 0
        self._lock = threading.Lock()
        self._done = False

    def add(self, items: Sequence[dict[str, Any]], extra: dict[str, Any] | None = None, *, day: date | None = None) -> int:
        """Stage the items created inside the window, or with ``day`` every item under that day;
        ``extra`` values are scalars. Returns rows kept."""
        groups = {day: list(items)} if day is not None else group_by_day(items, self.run.window)
        pages = [(d, len(day_items), flatten_columns(self.table, day_items, partition_date=d, tracked_entity=self.key,
                                                     captured_at=self.run.captured_at, extra=extra))
                 for d, day_items in groups.items() if day_items]  # one row per item
        with self._lock:
            self._check_open()
            for d, rows, columns in pages:
                held = self._held.setdefault(d, {name: [] for name in columns})
                for name, values in columns.items():
                    held[name].extend(values)
                self._held_rows += rows
                self.days.add(d)
            full = self._take_held() if self._held_rows >= HOLD_ROWS else {}
        self._convert(full)
        return sum(rows for _d, rows, _c in pages)

    def add_rows(self, day: date, rows: pa.RecordBatch | pa.Table) -> int:
        """Stage rows already in the table's schema (kept from this capture day's committed rows)."""
        batches = rows.to_batches() if isinstance(rows, pa.Table) else [rows]
        return self._append([(day, b) for b in batches if b.num_rows])

    def _check_open(self) -> None:
        if self._done:
            raise RuntimeError(f"{self.table}/{self.key}: sink already committed or aborted")

    def _take_held(self) -> dict[date, dict[str, list[Any]]]:
        held, self._held, self._held_rows = self._held, {}, 0
        return held

    def _convert(self, held: dict[date, dict[str, list[Any]]]) -> None:
        """Convert held rows outside the lock (other streams keep adding meanwhile), then stage them."""
        if held:
            self._append([(d, to_batch(self.table, columns)) for d, columns in held.items()])

    def _append(self, batches: Iterable[tuple[date, pa.RecordBatch]]) -> int:
        kept = 0
        with self._lock:
            self._check_open()
            for day, batch in batches:
                self.batch.put(self.key, day, batch, captured_at=self.run.captured_at)
                self.run.staged(self.table, day, batch)
                self.days.add(day)
                kept += batch.num_rows
            self.outcome.rows += kept
        return kept

    def commit(self) -> None:
        """Mark the entity finished: every day of the window is its capture (empty days included), or
        without ``whole_window`` the days it staged. Held rows are converted first; if they cannot be
        (a value the schema cannot hold), the entity is aborted and the error raised."""
        with self._lock:
            self._check_open()
            held = self._take_held()
        try:
            self._convert(held)
        except BaseException:
            self.abort()
            raise
        with self._lock:
            self._done = True
            if self.whole_window:
                self.batch.touch(self.key, self.run.window.days(), captured_at=self.run.captured_at)
                self.days.update(self.run.window.days())
            self.batch.done(self.key)
            self.outcome.partitions += len(self.days)

    def abort(self) -> None:
        """Drop everything staged or held for the entity; committed observations stay as they were."""
        with self._lock:
            self._done = True
            self._take_held()
            self.batch.drop(self.key)

    def __enter__(self) -> DaySink:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if exc_type is not None:
            self.abort()
        else:
            self.commit()
