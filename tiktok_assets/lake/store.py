"""The lake as a Dagster resource: one Delta table per lake table, in a local folder or on S3.

Layout (the public contract, see README "The lake" and ``docs/data-dictionary.md``)::

    <lake>/<table>/_delta_log/...                         the table's commits (Delta Lake protocol)
    <lake>/<table>/partition_date=YYYY-MM-DD/*.parquet    its data files, partitioned by day
    <lake>/_captures/                                     capture log (lake/captures.py)
    <lake>/marts/<model>/data.parquet                     dbt mart exports

Why not an IO manager (dagster-deltalake): its IO manager partitions by every partition dimension
and stores one return value per output; the assets stream many entities into one commit.
``lake_url`` is a path (``data/lake``, relative to the project root: :func:`tiktok_assets.settings.resolve_lake_url`,
the resolver dbt and the CLI use too) or ``s3://bucket/prefix``; ``s3_endpoint_url``
points at MinIO/moto/R2/... Credentials default to the AWS environment variables. Every store call
has connect/read timeouts (``TIKTOK_LAKE_TIMEOUT_SECONDS``, default 20 s) and ends in a
:class:`LakeUnreachableError` naming the lake and endpoint.
"""

from __future__ import annotations

import functools
import os
from contextlib import contextmanager
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any, Optional, TypeVar

import fsspec
import pyarrow as pa
import pyarrow.compute as pc
from dagster import ConfigurableResource
from pydantic import PrivateAttr

from tiktok_assets.lake.batch import BUFFER_BYTES, TableBatch, WriteStats
from tiktok_assets.lake.captures import CAPTURES_TABLE, CaptureLog
from tiktok_assets.lake import compaction
from tiktok_assets.lake.follow import DeltaFollower, Snapshot
from tiktok_assets.lake.compaction import DEFAULT_TARGET_FILE_SIZE, TableUpkeep
from tiktok_assets.lake.delta import (
    COMMIT_TARGET_FILE_SIZE,
    DEFAULT_TIMEOUT_SECONDS,
    PARTITION_COLUMN,
    LakeUnreachableError,
    LakeWriteError,
    as_schema,
    commit_writer_properties,
    conform,
    entity_column,
    in_list,
    live_file_uris,
    sql_literal,
    storage_options,
    with_commit_retries,
)
from tiktok_assets.lake.paths import LakePathError, format_date
from tiktok_assets.lake.schemas import SCHEMAS
from tiktok_assets.settings import DEFAULT_LAKE_URL, resolve_lake_url

TIMEOUT_ENV = "TIKTOK_LAKE_TIMEOUT_SECONDS"
T = TypeVar("T")

__all__ = ["Lake", "LakeResource", "LakeUnreachableError", "LakeWriteError", "WriteStats", "lake_timeout"]


def lake_timeout() -> float:
    """Seconds a lake call may wait to connect or for an answer (``TIKTOK_LAKE_TIMEOUT_SECONDS``)."""
    raw = os.environ.get(TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{TIMEOUT_ENV} must be a number of seconds, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{TIMEOUT_ENV} must be positive, got {raw!r}")
    return value


def _connection_errors() -> tuple[type[BaseException], ...]:
    try:
        from botocore.exceptions import ConnectionError as BotoConnectionError
        from botocore.exceptions import HTTPClientError, NoCredentialsError, ReadTimeoutError
    except ImportError:  # pragma: no cover - botocore ships with s3fs
        return (ConnectionError, TimeoutError)
    return (ConnectionError, TimeoutError, BotoConnectionError, HTTPClientError, NoCredentialsError, ReadTimeoutError)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_UNREACHABLE_MARKERS = ("error sending request", "timed out", "timeout", "connection refused", "connect error",
                        "dns error", "connection reset", "operation timed out", "nosuchbucket",
                        "the specified bucket does not exist")


def store_error_summary(exc: BaseException) -> str:
    """The first and the innermost line of a store error, on one line.

    Why: delta-rs reports an object-store failure as a chain, one cause per line, coloured, from the
    most generic ("Kernel error -> Generic S3 error") to the one a user can act on ("Connection
    refused (os error 111)"); the first line alone says nothing useful."""
    lines = [_ANSI.sub("", line).strip().lstrip("\u21b3").strip() for line in str(exc).splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return type(exc).__name__
    first, root = lines[0][:300], lines[-1][:300]
    return first if root == first else f"{first} ... {root}"


def _store_errors(method: Callable[..., T]) -> Callable[..., T]:
    """Turn connection-level failures of the store into :class:`LakeUnreachableError` naming the lake."""
    @functools.wraps(method)
    def wrapper(self: Lake, *args: Any, **kwargs: Any) -> T:
        try:
            return method(self, *args, **kwargs)
        except (LakeUnreachableError, LakeWriteError, LakePathError):
            raise
        except _connection_errors() as exc:
            raise LakeUnreachableError(f"lake {self.where()} is unreachable: {exc}") from exc
        except OSError as exc:
            text = str(exc).lower()
            if not self.is_local and any(m in text for m in _UNREACHABLE_MARKERS):
                raise LakeUnreachableError(f"lake {self.where()} is unreachable (timeout {self.timeout:g}s, "
                                           f"{TIMEOUT_ENV}): {store_error_summary(exc)}") from exc
            raise
    return wrapper


class Lake:
    """Table-level access to the lake: batched Delta commits, reads, the capture log, maintenance."""

    def __init__(self, url: str = DEFAULT_LAKE_URL, s3_endpoint_url: str | None = None, *,
                 aws_access_key_id: str | None = None, aws_secret_access_key: str | None = None,
                 timeout: float | None = None, buffer_bytes: int = BUFFER_BYTES,
                 target_file_size: int | None = None) -> None:
        if not url:
            raise ValueError("lake url is empty")
        protocol = fsspec.utils.get_protocol(url)
        self.s3_endpoint_url = s3_endpoint_url or None
        self.timeout = float(timeout) if timeout is not None else lake_timeout()
        self.buffer_bytes = buffer_bytes
        self.target_file_size = target_file_size  # bytes per data file written and compacted (None: defaults)
        self.is_local = protocol in ("file", "local")
        key = aws_access_key_id or os.environ.get("AWS_ACCESS_KEY_ID") or None
        secret = aws_secret_access_key or os.environ.get("AWS_SECRET_ACCESS_KEY") or None
        if self.is_local:
            self.root = resolve_lake_url(url)  # relative = relative to the project root, as for dbt
            self.url = self.root
            self.fs: fsspec.AbstractFileSystem = fsspec.filesystem("file")
            self.storage_options: dict[str, str] | None = None
        elif protocol in ("s3", "s3a"):
            import s3fs

            self.root = url.split("://", 1)[1].strip("/")
            if not self.root:
                raise ValueError(f"lake url {url!r} names no bucket")
            self.url = f"s3://{self.root}"
            client_kwargs = {"endpoint_url": self.s3_endpoint_url} if self.s3_endpoint_url else {}
            self.fs = s3fs.S3FileSystem(
                key=key, secret=secret, client_kwargs=client_kwargs,
                config_kwargs={"connect_timeout": self.timeout, "read_timeout": self.timeout,
                               "retries": {"max_attempts": 1, "mode": "standard"}},
                skip_instance_cache=True, use_listings_cache=False,
            )
            self.fs.retries = 1
            self.storage_options = storage_options(self.s3_endpoint_url, key, secret, self.timeout)
        else:
            raise ValueError(f"lake url {url!r}: only local folders and s3:// are supported")
        self.captures = CaptureLog(self)
        self._open_batches: list[TableBatch] = []  # staged captures that fingerprints can attach to

    def __repr__(self) -> str:
        endpoint = f", endpoint={self.s3_endpoint_url!r}" if self.s3_endpoint_url else ""
        return f"Lake({self.url!r}{endpoint})"

    def where(self) -> str:
        return self.url + (f" (endpoint {self.s3_endpoint_url})" if self.s3_endpoint_url else "")

    # -- paths -----------------------------------------------------------------------------------
    def join(self, name: str) -> str:
        return posixpath.join(self.url, name)

    def table_uri(self, table: str) -> str:
        """``<lake>/<table>``: the Delta table's root (``s3://...`` or an absolute local path)."""
        if table not in SCHEMAS:
            raise LakePathError(f"unknown lake table {table!r}; known tables: {sorted(SCHEMAS)}")
        return self.join(table)

    def partition_dir(self, table: str, partition_date: date | str, key: str | None = None) -> str:
        """The day's folder of ``table`` (``partition_date=YYYY-MM-DD``); the entity is a column."""
        return posixpath.join(self.table_uri(table), f"{PARTITION_COLUMN}={format_date(partition_date)}")

    # -- health ----------------------------------------------------------------------------------
    def check_reachable(self) -> None:
        """Fail fast with :class:`LakeUnreachableError` naming the URL if the store is not usable."""
        try:
            if self.is_local:
                os.makedirs(self.root, exist_ok=True)
                if not os.access(self.root, os.W_OK):
                    raise LakeUnreachableError(f"lake {self.url} is not writable")
            else:
                bucket = self.root.split("/", 1)[0]
                try:
                    self.fs.call_s3("head_bucket", Bucket=bucket)
                except FileNotFoundError:
                    raise LakeUnreachableError(f"lake {self.where()}: bucket {bucket!r} does not exist") from None
        except LakeUnreachableError:
            raise
        except (OSError, *_connection_errors()) as exc:
            raise LakeUnreachableError(f"lake {self.where()} is unreachable: {exc}") from exc

    # -- Delta primitives ------------------------------------------------------------------------
    @_store_errors
    def open_table(self, uri: str) -> Any:
        """The ``DeltaTable`` at ``uri``, or None when no table was ever committed there."""
        from deltalake import DeltaTable
        from deltalake.exceptions import TableNotFoundError

        try:
            return DeltaTable(uri, storage_options=self.storage_options)
        except TableNotFoundError:
            return None

    @_store_errors
    def replace_rows(self, table: str, reader: Callable[[], pa.RecordBatchReader], predicate: str | None) -> int:
        """Remove the rows ``predicate`` matches and add ``reader()``'s, in one commit through
        ``write_deltalake`` (retried on conflicts, ``reader`` is called again each time). The rows
        stream in as a reader, written in files of :attr:`commit_file_size` with capped row groups
        (see :data:`~tiktok_assets.lake.delta.COMMIT_TARGET_FILE_SIZE`). Returns the new table version."""
        from deltalake import write_deltalake

        uri = self.table_uri(table)
        props = commit_writer_properties()

        def commit() -> int:
            dt = self.open_table(uri)  # one log read per attempt; the write updates it in place
            write_deltalake(dt if dt is not None else uri, reader(), partition_by=[PARTITION_COLUMN],
                            mode="overwrite" if predicate and dt is not None else "append",
                            predicate=predicate if dt is not None else None,
                            storage_options=None if dt is not None else self.storage_options,
                            writer_properties=props, target_file_size=self.commit_file_size)
            if dt is None:
                dt = self.open_table(uri)
            return int(dt.version()) if dt is not None else -1

        return with_commit_retries(commit, f"{table}")

    @_store_errors
    def append_rows(self, uri: str, rows: pa.Table, *, partition_by: list[str]) -> None:
        """Plain append (never conflicts with other appends) of ``rows`` to the table at ``uri``."""
        from deltalake import write_deltalake

        with_commit_retries(lambda: write_deltalake(uri, rows, partition_by=partition_by, mode="append",
                                                    storage_options=self.storage_options), uri)

    @_store_errors
    def delete_rows(self, uri: str, predicate: str) -> None:
        dt = self.open_table(uri)
        if dt is not None:
            with_commit_retries(lambda: self.open_table(uri).delete(predicate), uri)

    # -- writes ----------------------------------------------------------------------------------
    def batch(self, table: str, **kwargs: Any) -> TableBatch:
        """A :class:`TableBatch`: stage many entities' rows, commit them together."""
        batch = TableBatch(self, table, buffer_bytes=kwargs.pop("buffer_bytes", self.buffer_bytes), **kwargs)
        self._open_batches.append(batch)
        return batch

    def forget_batch(self, batch: TableBatch) -> None:
        if batch in self._open_batches:
            self._open_batches.remove(batch)

    @contextmanager
    def writer(self, table: str, partition_date: date | str, key: str, *,
               captured_at: datetime | None = None) -> Iterator[Callable[[pa.RecordBatch | pa.Table], int]]:
        """``with lake.writer(table, day, key) as write: write(batch)``: stream one entity's capture of
        ``day`` (memory bounded by the batch) and commit it in one commit on a clean exit; an exception
        inside the block drops it, leaving the table as it was."""
        day = date.fromisoformat(format_date(partition_date))
        at = None if table == "credit_ledger" else (captured_at or datetime.now(UTC).replace(microsecond=0))
        batch = self.batch(table)
        try:
            batch.touch(key, [day], captured_at=at)
            yield lambda data: batch.put(key, day, data, captured_at=at)
            batch.done(key)
            batch.commit()
        finally:
            batch.close()

    def write_partition(self, table: str, partition_date: date | str, key: str,
                        data: pa.RecordBatch | pa.Table | Iterable[pa.RecordBatch] | None, *,
                        captured_at: datetime | None = None) -> WriteStats:
        """Replace ``key``'s rows of ``partition_date`` captured on the same UTC day as ``data`` (one
        commit). ``captured_at`` (default: the rows' own, else now) sets that capture day."""
        day = date.fromisoformat(format_date(partition_date))
        chunks = [data] if isinstance(data, (pa.RecordBatch, pa.Table)) or data is None else list(data)
        tables = [conform(table, c) for c in chunks if c is not None]
        if table == "credit_ledger":
            tables = [t.set_column(t.schema.get_field_index("flush_id"), SCHEMAS[table].field("flush_id"),
                                   pa.array([key] * t.num_rows, pa.string())) for t in tables]
            captured_at = None
        elif captured_at is None:
            stamps = [t["captured_at"][0].as_py() for t in tables if t.num_rows]
            captured_at = stamps[0] if stamps else datetime.now(UTC).replace(microsecond=0)
        batch = self.batch(table)
        try:
            batch.touch(key, [day], captured_at=captured_at)
            for t in tables:
                batch.put(key, day, t, captured_at=captured_at)
            batch.done(key)
            stats = batch.commit()
        finally:
            batch.close()
        assert stats is not None
        return stats

    @_store_errors
    def append_ledger(self, rows: pa.RecordBatch | pa.Table, flush_id: str | None = None) -> int:
        """Append ``credit_ledger`` rows in one commit (no replace: ledger rows are immutable).

        ``flush_id`` fills rows that have none; returns the rows written."""
        table = conform("credit_ledger", rows)
        if flush_id is not None:
            ids = pa.array([flush_id] * table.num_rows, pa.string())
            current = table["flush_id"]
            filled = pa.compute.if_else(pa.compute.is_null(current), ids, current) if table.num_rows else current
            table = table.set_column(table.schema.get_field_index("flush_id"), SCHEMAS["credit_ledger"].field("flush_id"), filled)
        if table.num_rows:
            self.append_rows(self.table_uri("credit_ledger"), table, partition_by=[PARTITION_COLUMN])
        return table.num_rows

    @_store_errors
    def append(self, table: str, rows: pa.RecordBatch | pa.Table) -> int:
        """Append rows to a log-like table (``entity_status``) in one commit; returns the rows written."""
        data = conform(table, rows)
        if data.num_rows:
            self.append_rows(self.table_uri(table), data, partition_by=[PARTITION_COLUMN])
        return data.num_rows

    @_store_errors
    def delete_partition(self, table: str, partition_date: date | str, key: str) -> bool:
        """Remove every row (all captures) of ``key`` on ``partition_date``; True if something was there."""
        day = date.fromisoformat(format_date(partition_date))
        had = self.exists(table, day, key)
        self.delete_rows(self.table_uri(table), f"{PARTITION_COLUMN} = {sql_literal(day)} AND "
                                                f"{in_list(entity_column(table), [key])}")
        if table != "credit_ledger":
            self.captures.delete(table, day, key)
        return had

    # -- stream fingerprints (assets/state.py) -----------------------------------------------------
    def save_state(self, table: str, day: date, key: str, state: str) -> None:
        """Attach ``state`` to the staged capture of (day, key) (recorded after its data commit), else
        record it now (its data is already committed)."""
        for batch in list(self._open_batches):
            if batch.table == table and batch.attach_state(key, day, state):
                return
        self.captures.record_commit(table, [{"partition_date": day, "tracked_entity": key, "captured_at": None,
                                             "rows": None, "state": state}])

    # -- reads -----------------------------------------------------------------------------------
    @_store_errors
    def load_state(self, table: str, day: date, key: str) -> str | None:
        """The state saved with the latest capture of (day, key), or None (no capture, or none saved)."""
        record = self.captures.latest(table, day, key)
        return record.get("state") if record else None

    @_store_errors
    def exists(self, table: str, partition_date: date | str, key: str) -> bool:
        """Whether (day, key) of ``table`` was captured (also when it had no rows)."""
        day = date.fromisoformat(format_date(partition_date))
        if table == "credit_ledger":
            return self.read(table, dates=[day], keys=[key], columns=["flush_id"]).num_rows > 0
        return (day, key) in self.captures.index(table)

    @_store_errors
    def partitions(self, table: str) -> list[tuple[date, str]]:
        """Captured (date, entity) pairs of ``table``, sorted (the ledger: its (date, flush id) pairs)."""
        if table not in SCHEMAS:
            raise LakePathError(f"unknown lake table {table!r}")
        if table == "credit_ledger":
            t = self.read(table, columns=["partition_date", "flush_id"])
            return sorted({(d, k) for d, k in zip(t["partition_date"].to_pylist(), t["flush_id"].to_pylist())})
        return self.captures.partitions(table)

    def follow(self, table: str, columns: list[str], dates: Iterable[date | str] | None = None) -> DeltaFollower:
        """A :class:`~tiktok_assets.lake.follow.DeltaFollower` of ``columns`` of ``table`` (the files of
        ``dates`` only, when given), for a reader that looks again and again; read it with :meth:`snapshot`."""
        return DeltaFollower(self, self.table_uri(table), columns,
                             pruning=None if dates is None else [(PARTITION_COLUMN, "in", _days(dates))])

    @_store_errors
    def snapshot(self, follower: DeltaFollower) -> Snapshot | None:
        """``follower``'s rows at the table's latest version (an unreachable store raises
        :class:`LakeUnreachableError`, as every read here does)."""
        return follower.snapshot()

    def dataset(self, table: str, dates: Iterable[date | str] | None = None) -> Any:
        """The pyarrow dataset of the table's current version (None when the table does not exist),
        over the files of ``dates`` only when given.

        Why prune here, not only filter rows: a dataset holds one fragment per live file and building
        it costs about as much per file as reading a small one, so a reader of 35 days would pay for
        every day kept (the lake benchmark's ``estimate`` at 365 days spent most of its time here).
        The day is the partition column, so delta-rs selects the files exactly from its file list.
        """
        dt = self.open_table(self.table_uri(table))
        if dt is None:
            return None
        if dates is None:
            return dt.to_pyarrow_dataset()
        return dt.to_pyarrow_dataset(file_pruning_predicate=[(PARTITION_COLUMN, "in", _days(dates))])

    def _filter(self, table: str, dates: Iterable[date | str] | None, keys: Iterable[str] | None,
                captured_on: date | None) -> Any:
        import pyarrow.dataset as ds

        expr = None
        parts = []
        if dates is not None:
            parts.append(ds.field(PARTITION_COLUMN).isin(sorted({date.fromisoformat(format_date(d)) for d in dates})))
        if keys is not None:
            parts.append(ds.field(entity_column(table)).isin(sorted(set(keys))))
        if captured_on is not None:
            us = pa.timestamp("us", tz="UTC")
            start = datetime(captured_on.year, captured_on.month, captured_on.day, tzinfo=UTC)
            ts = ds.field("captured_at")
            parts.append((ts >= pa.scalar(start, us)) & (ts < pa.scalar(start + timedelta(days=1), us)))
        for p in parts:
            expr = p if expr is None else expr & p
        return expr

    @_store_errors
    def read(self, table: str, dates: Iterable[date | str] | None = None, keys: Iterable[str] | None = None,
             columns: list[str] | None = None, *, captured_on: date | None = None) -> pa.Table:
        """Rows of ``table`` (every observation; optionally only some dates/keys/capture day/columns),
        typed exactly as the schema."""
        schema = SCHEMAS.get(table)
        if schema is None:
            raise LakePathError(f"unknown lake table {table!r}")
        dataset = self.dataset(table, dates)
        if dataset is None:
            empty = schema.empty_table()
            return empty.select(columns) if columns is not None else empty
        data = dataset.to_table(filter=self._filter(table, dates, keys, captured_on), columns=columns)
        return as_schema(table, data, columns)

    @_store_errors
    def rows_per_day(self, table: str, days: Iterable[date], captured_at: datetime | None = None) -> dict[date, int]:
        """How many rows each of ``days`` holds now (every entity and observation; 0 when none), or
        only the rows of the capture stamped ``captured_at`` when given.

        Why: a partition's ``dagster/row_count`` must be what the lake holds for that day, not what
        one run happened to write (a rerun that skips unchanged streams writes nothing).
        """
        held, captured = self.day_counts(table, days, captured_at)
        return held if captured_at is None else captured

    @_store_errors
    def day_counts(self, table: str, days: Iterable[date],
                   captured_at: datetime | None = None) -> tuple[dict[date, int], dict[date, int]]:
        """:meth:`rows_per_day` both ways from one read: the rows each day holds, and the rows of the
        capture stamped ``captured_at`` (zeros when None). Why one read: an asset reports both for every
        partition after its last commit, and a second scan of the same files was a tenth of a second
        of the run's tail."""
        wanted = sorted(set(days))
        held, captured = dict.fromkeys(wanted, 0), dict.fromkeys(wanted, 0)
        dataset = self.dataset(table, wanted) if wanted else None
        if dataset is None:
            return held, captured
        columns = [PARTITION_COLUMN] + (["captured_at"] if captured_at is not None else [])
        data = dataset.to_table(columns=columns, filter=self._filter(table, wanted, None, None))
        for counts, rows in ((held, data), (captured, _of_capture(data, captured_at))):
            if rows is not None:
                for entry in pc.value_counts(rows.column(PARTITION_COLUMN)).to_pylist():
                    counts[entry["values"]] = entry["counts"]
        return held, captured

    @_store_errors
    def scan(self, table: str, dates: Iterable[date | str] | None = None, keys: Iterable[str] | None = None, *,
             captured_on: date | None = None, batch_size: int = 4096) -> Iterator[pa.RecordBatch]:
        """Like :meth:`read`, batch by batch (bounded memory)."""
        dataset = self.dataset(table, dates)
        if dataset is None:
            return
        for batch in dataset.to_batches(filter=self._filter(table, dates, keys, captured_on), batch_size=batch_size):
            if batch.num_rows:
                yield from as_schema(table, pa.Table.from_batches([batch])).to_batches()

    @property
    def commit_file_size(self) -> int:
        """Bytes a commit's data file aims at: the lake's target when set, else the bounded
        :data:`~tiktok_assets.lake.delta.COMMIT_TARGET_FILE_SIZE` (compaction merges them later)."""
        return self.target_file_size or COMMIT_TARGET_FILE_SIZE

    # -- maintenance -----------------------------------------------------------------------------
    @property
    def compaction_target_size(self) -> int:
        """Bytes a compacted file aims at: the writer's target when set, else delta-rs's default. A
        file at least this large is not "small" and is never rewritten again."""
        return self.target_file_size or DEFAULT_TARGET_FILE_SIZE

    def _maintenance_target(self, table_or_uri: str) -> tuple[str, str, str]:
        """(uri, name, partition column) of a lake table or of the capture log."""
        if table_or_uri in SCHEMAS:
            return self.table_uri(table_or_uri), table_or_uri, PARTITION_COLUMN
        name = table_or_uri.rstrip("/").rsplit("/", 1)[-1]
        if name == CAPTURES_TABLE:
            return self.join(CAPTURES_TABLE), CAPTURES_TABLE, "lake_table"
        raise LakePathError(f"unknown lake table {table_or_uri!r}; known tables: {sorted(SCHEMAS)} and {CAPTURES_TABLE}")

    @_store_errors
    def maintain(self, table_or_uri: str, *, before: date | None, retention_hours: float,
                 full_vacuum: bool = False) -> TableUpkeep | None:
        """The daily upkeep of one table (``tiktok/lake_maintenance``): compact its partitions that
        hold two or more small files (for a lake table only closed days, before ``before``; the
        capture log whole), then vacuum, all from one table open. ``full_vacuum`` also lists the
        store for files no version references (a killed writer's); see :mod:`.compaction`.
        None when the table was never written."""
        uri, name, column = self._maintenance_target(table_or_uri)
        dt = self.open_table(uri)
        if dt is None:
            return None
        cutoff = before.isoformat() if before is not None and column == PARTITION_COLUMN else None
        return compaction.upkeep(dt, name, column, before=cutoff, retention_hours=retention_hours,
                                 full_vacuum=full_vacuum, target_size=self.compaction_target_size,
                                 settled_rows=_settled_rows(name))

    def _compact(self, uri: str, name: str, column: str, before: str | None) -> dict[str, Any]:
        dt = self.open_table(uri)
        metrics = {} if dt is None else compaction.compact(dt, name, column, before=before,
                                                             target_size=self.compaction_target_size,
                                                             settled_rows=_settled_rows(name))[1]
        return {"numFilesAdded": int(metrics.get("numFilesAdded", 0)),
                "numFilesRemoved": int(metrics.get("numFilesRemoved", 0))}

    @_store_errors
    def compact(self, table: str, before: date) -> dict[str, Any]:
        """Compact the small files of the days before ``before`` (closed days) that hold two or more."""
        return self._compact(self.table_uri(table), table, PARTITION_COLUMN, before.isoformat())

    @_store_errors
    def compact_uri(self, uri: str) -> dict[str, Any]:
        """Compact a table that is not a day-partitioned lake table (the capture log), every partition
        that holds two or more small files."""
        _, name, column = self._maintenance_target(uri)
        return self._compact(uri, name, column, None)

    @_store_errors
    def vacuum(self, table_or_uri: str, retention_hours: float, *, full: bool = True) -> list[str]:
        """Delete files no version newer than ``retention_hours`` needs. ``full`` (the default here)
        lists the store, so it also deletes files a killed writer left behind (never committed);
        ``full=False`` deletes only what the log records as removed (see :mod:`.compaction`).
        Returns the deleted paths."""
        uri = self.table_uri(table_or_uri) if table_or_uri in SCHEMAS else table_or_uri
        dt = self.open_table(uri)
        if dt is None:
            return []
        return list(dt.vacuum(retention_hours=int(retention_hours), dry_run=False, enforce_retention_duration=False,
                              full=full))

    def file_uris(self, table: str, dates: Iterable[date | str] | None = None) -> list[str]:
        """The live data files of ``table`` (what a reader of its current version reads), only those
        of ``dates`` when given (selected from the log's file list, no store listing)."""
        dt = self.open_table(self.table_uri(table))
        if dt is None:
            return []
        return live_file_uris(dt, None if dates is None else [(PARTITION_COLUMN, "in", _days(dates))])


def _settled_rows(name: str) -> int | None:
    """Rows from which a file is never compacted again: set for the capture log only (its partitions
    only grow; a day of a lake table closes, and a day's files are merged whole)."""
    return compaction.CAPTURE_LOG_SETTLED_ROWS if name == CAPTURES_TABLE else None


def _of_capture(rows: pa.Table, captured_at: datetime | None) -> pa.Table | None:
    """The rows stamped ``captured_at`` (None when no capture is asked for)."""
    if captured_at is None:
        return None
    column = rows.column("captured_at")
    return rows.filter(pc.equal(column, pa.scalar(captured_at, pa.timestamp("us", tz="UTC")).cast(column.type)))


def _days(dates: Iterable[date | str]) -> list[str]:
    """``YYYY-MM-DD`` partition values of ``dates``, sorted and distinct (delta-rs tuple filters)."""
    return sorted({format_date(d) for d in dates})


class LakeResource(ConfigurableResource):
    """Dagster resource for the lake. Wire ``lake_url=EnvVar("TIKTOK_LAKE_URL")`` and
    ``s3_endpoint_url=EnvVar("TIKTOK_S3_ENDPOINT_URL")``; leave the AWS keys unset to use the
    standard AWS environment variables / profiles."""

    lake_url: str = DEFAULT_LAKE_URL
    s3_endpoint_url: Optional[str] = None
    aws_access_key_id: Optional[str] = None
    aws_secret_access_key: Optional[str] = None

    _lake: Optional[Lake] = PrivateAttr(default=None)

    def get_lake(self) -> Lake:
        """The :class:`Lake` for this configuration (built once per resource instance)."""
        if self._lake is None:
            self._lake = Lake(self.lake_url, self.s3_endpoint_url or None,
                              aws_access_key_id=self.aws_access_key_id or None,
                              aws_secret_access_key=self.aws_secret_access_key or None)
        return self._lake
