"""The capture log: which (table, day, entity) was captured when, with how many rows and fingerprint.

Why a table of its own (``<lake>/_captures/``, a small Delta table partitioned by ``lake_table``):
Delta holds rows, not folders, so "captured and empty" (a day without posts) and "never captured"
would otherwise look the same. Every commit of a :class:`~tiktok_assets.lake.batch.TableBatch`
appends one record per (day, entity) it replaced, AFTER the data commit; a crash between the two
leaves data without a record (refetched next time), never a record for data that is not there.
The record also carries the stream fingerprint of :mod:`tiktok_assets.assets.state` (``state``,
JSON), which replaces the old ``_state/`` JSON objects. The newest record of a (table, day, entity)
describes its newest capture: a capture without a fingerprint makes the old one obsolete.

Readers: :meth:`Lake.partitions` / :meth:`Lake.exists` (what was captured), ``StreamState``. The
log is append-only (plain appends never conflict) and compacted by the maintenance asset.
"""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from tiktok_assets.lake.delta import in_list, sql_literal
from tiktok_assets.lake.follow import DeltaFollower

if TYPE_CHECKING:
    from tiktok_assets.lake.store import Lake

CAPTURES_TABLE = "_captures"
SCHEMA = pa.schema([
    pa.field("lake_table", pa.string(), nullable=False),
    pa.field("partition_date", pa.date32(), nullable=False),
    pa.field("tracked_entity", pa.string(), nullable=False),
    pa.field("captured_at", pa.timestamp("us", tz="UTC")),
    pa.field("rows", pa.int64()),
    pa.field("state", pa.string()),
    pa.field("recorded_at", pa.timestamp("us", tz="UTC"), nullable=False),
])

INDEX_COLUMNS = ["partition_date", "tracked_entity", "captured_at", "rows", "state", "recorded_at"]


Index = dict[tuple[date, str], dict[str, Any]]  # (day, entity) -> its newest capture record


class _TableIndex:
    """The index of one table's records, and the follower of the log that keeps it current."""

    def __init__(self, log: CaptureLog, table: str) -> None:
        self.follower = DeltaFollower(log.lake, log.uri, INDEX_COLUMNS, pruning=[("lake_table", "=", table)],
                                      keep_rows=False)
        self.lock = threading.Lock()  # one reader applies a version at a time, in version order
        self.version: int | None = None
        self.latest: Index = {}


class CaptureLog:
    """Append and query the capture records of one lake (an index per table, kept current)."""

    def __init__(self, lake: Lake) -> None:
        self.lake = lake
        self._lock = threading.Lock()
        self._tables: dict[str, _TableIndex] = {}

    @property
    def uri(self) -> str:
        return self.lake.join(CAPTURES_TABLE)

    def record_commit(self, table: str, records: list[dict[str, Any]]) -> None:
        """Append one record per (day, entity) a data commit of ``table`` replaced (one commit)."""
        if not records:
            return
        now = datetime.now(UTC)
        rows = [{"lake_table": table, "recorded_at": now, **r} for r in records]
        self.lake.append_rows(self.uri, pa.Table.from_pylist(rows, schema=SCHEMA), partition_by=["lake_table"])

    def delete(self, table: str, day: date, key: str) -> None:
        if self.lake.open_table(self.uri) is not None:
            self.lake.delete_rows(self.uri, f"lake_table = {sql_literal(table)} AND partition_date = {sql_literal(day)} "
                                            f"AND {in_list('tracked_entity', [key])}")

    def index(self, table: str) -> Index:
        """(day, entity) -> its newest record, for ``table``.

        The log is followed (:class:`~tiktok_assets.lake.follow.DeltaFollower`): a new version costs
        the read of its new files and a copy of the index with their records applied (a file removed,
        by compaction or a delete, rebuilds it from every live file). The returned dict is never
        changed afterwards, so a caller may keep it while other threads commit."""
        with self._lock:
            entry = self._tables.get(table) or self._tables.setdefault(table, _TableIndex(self, table))
        with entry.lock:  # snapshots are taken and applied in order, so ``since`` is the version indexed
            snapshot = entry.follower.snapshot()
            if snapshot is None:
                return {}
            if snapshot.version == entry.version:
                return entry.latest
            if snapshot.since is None:  # first read, or files removed: ``added`` holds every record
                entry.latest = _newest_records(snapshot.added, {})
            elif snapshot.added.num_rows:  # (none: the new version holds other tables' records only)
                entry.latest = _newest_records(snapshot.added, dict(entry.latest))
            entry.version = snapshot.version
            return entry.latest

    def partitions(self, table: str) -> list[tuple[date, str]]:
        return sorted(self.index(table))

    def latest(self, table: str, day: date, key: str) -> dict[str, Any] | None:
        return self.index(table).get((day, key))


def _newest_records(rows: pa.Table, latest: Index) -> Index:
    """``latest`` updated with ``rows`` (capture records): a record replaces one recorded no later."""
    if rows.num_rows:
        rows = rows.sort_by([("recorded_at", "ascending")])
        cols = {name: rows.column(name).to_pylist() for name in rows.column_names}
        for i in range(rows.num_rows):
            key = (cols["partition_date"][i], cols["tracked_entity"][i])
            old = latest.get(key)
            if old is None or old["recorded_at"] <= cols["recorded_at"][i]:
                latest[key] = {name: cols[name][i] for name in cols}
    return latest
