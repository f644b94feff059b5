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


class CaptureLog:
    """Append and query the capture records of one lake (cached per table version)."""

    def __init__(self, lake: Lake) -> None:
        self.lake = lake
        self._lock = threading.Lock()
        self._cache: dict[str, tuple[int, dict[tuple[date, str], dict[str, Any]]]] = {}

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

    def index(self, table: str) -> dict[tuple[date, str], dict[str, Any]]:
        """(day, entity) -> its newest record, for ``table`` (re-read only when the log changed)."""
        dt = self.lake.open_table(self.uri)
        if dt is None:
            return {}
        version = dt.version()
        with self._lock:
            cached = self._cache.get(table)
            if cached is not None and cached[0] == version:
                return cached[1]
        import pyarrow.dataset as ds

        data = dt.to_pyarrow_dataset().to_table(
            filter=ds.field("lake_table") == table,
            columns=["partition_date", "tracked_entity", "captured_at", "rows", "state", "recorded_at"])
        latest: dict[tuple[date, str], dict[str, Any]] = {}
        if data.num_rows:
            data = data.sort_by([("recorded_at", "ascending")])
            cols = {name: data.column(name).to_pylist() for name in data.column_names}
            for i in range(data.num_rows):
                latest[(cols["partition_date"][i], cols["tracked_entity"][i])] = {n: cols[n][i] for n in cols}
        with self._lock:
            self._cache[table] = (version, latest)
        return latest

    def partitions(self, table: str) -> list[tuple[date, str]]:
        return sorted(self.index(table))

    def latest(self, table: str, day: date, key: str) -> dict[str, Any] | None:
        return self.index(table).get((day, key))
