"""Atomic, streaming writes of one lake partition.

Why this shape:
- *Streaming*: pages arrive 20-50 items at a time and a partition can hold a million rows. Rows are
  buffered only up to one row group (``row_group_size`` rows or ``row_group_bytes``, whichever
  comes first; :meth:`PartitionWriter.flush` writes one early), then written through a
  ``pq.ParquetWriter`` to an open file object, so memory does not grow with the partition.
- *Atomic*: the file is written under ``<lake>/_staging/<uuid>/`` (never matched by the reader globs
  ``<table>/*/*/*.parquet``) and only moved to ``<table>/date=.../<kind>=.../part-0.parquet`` on
  :meth:`PartitionWriter.commit`: ``os.replace`` locally, a single-object copy on S3. Readers see the
  old file or the new one, never half of one. Afterwards any other file in the partition folder is
  removed, so a rerun replaces the partition with no stale parts and no duplicates.
- *Failure-safe*: an exception inside ``with`` aborts: the staged object is deleted and the
  previously committed partition is untouched.
"""

from __future__ import annotations

import logging
import os
import posixpath
import uuid
from dataclasses import dataclass
from typing import Any, Iterable

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq

from tiktok_assets.lake.paths import PART_FILE, STAGING_DIR
from tiktok_assets.lake.schemas import SCHEMAS

log = logging.getLogger(__name__)

DEFAULT_ROW_GROUP_ROWS = 64 * 1024
# Optionally, a row group is also written once the buffer holds this many bytes: wide rows (the ``raw``
# JSON of a comment is ~1 KB) would otherwise buffer ~64 MB per writer before the first row group.
# Off by default (full-size row groups); streaming callers cap memory with it or with flush().
DEFAULT_ROW_GROUP_BYTES: int | None = None
COMPRESSION = "zstd"


class LakeWriteError(ValueError):
    """Data handed to a partition writer does not fit the table, or the writer is misused."""


@dataclass(frozen=True)
class WriteStats:
    """What a commit produced: rows, file size in bytes, its path in the lake, row groups written."""

    rows: int
    bytes: int
    path: str
    row_groups: int


def _is_local(fs: fsspec.AbstractFileSystem) -> bool:
    return "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))


class PartitionWriter:
    """Context manager that streams rows into one partition and commits it atomically.

    ``with lake.writer(table, date, key) as w: w.write(batch)`` commits on a clean exit (then
    ``w.stats`` holds the result) and aborts on an exception. :meth:`commit` may also be called
    explicitly inside the block. ``buffered_rows`` / ``max_buffered_rows`` expose the in-memory
    buffer so tests can prove the memory bound.
    """

    def __init__(self, fs: fsspec.AbstractFileSystem, lake_root: str, table: str, final_dir: str,
                 *, row_group_size: int = DEFAULT_ROW_GROUP_ROWS, compression: str = COMPRESSION,
                 row_group_bytes: int | None = DEFAULT_ROW_GROUP_BYTES) -> None:
        if table not in SCHEMAS:
            raise LakeWriteError(f"unknown lake table {table!r}")
        if row_group_size < 1:
            raise LakeWriteError("row_group_size must be >= 1")
        self.fs = fs
        self.table = table
        self.schema = SCHEMAS[table]
        self.final_dir = final_dir
        self.final_path = posixpath.join(final_dir, PART_FILE)
        self.staging_dir = posixpath.join(lake_root.rstrip("/"), STAGING_DIR, uuid.uuid4().hex)
        self.staging_path = posixpath.join(self.staging_dir, PART_FILE)
        self.row_group_size = row_group_size
        self.row_group_bytes = row_group_bytes
        self.buffered_bytes = 0  # Arrow bytes held in memory (the buffered rows)
        self.compression = compression
        self.rows_written = 0  # rows handed to the Parquet writer (flushed row groups)
        self.row_groups = 0
        self.buffered_rows = 0  # rows held in memory, waiting for a full row group
        self.max_buffered_rows = 0  # high-water mark of buffered_rows between write() calls
        self.stats: WriteStats | None = None
        self._pending: list[pa.RecordBatch] = []
        self._file: Any = None
        self._writer: pq.ParquetWriter | None = None
        self._state = "new"

    # -- lifecycle -------------------------------------------------------------------------------
    def open(self) -> "PartitionWriter":
        """Create the staged file now, so an unreachable store fails before any API credit is spent."""
        if self._state != "new":
            return self
        if _is_local(self.fs):
            self.fs.makedirs(self.staging_dir, exist_ok=True)
        self._file = self.fs.open(self.staging_path, "wb")
        self._writer = pq.ParquetWriter(self._file, self.schema, compression=self.compression)
        self._state = "open"
        return self

    def __enter__(self) -> "PartitionWriter":
        return self.open()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self.abort()
        elif self._state in ("new", "open"):
            self.commit()

    # -- data ------------------------------------------------------------------------------------
    def write(self, data: pa.RecordBatch | pa.Table | Iterable[dict[str, Any]]) -> None:
        """Append rows (a batch/table of the table schema, or row dicts); flushes full row groups."""
        if self._state == "new":
            self.open()
        if self._state != "open":
            raise LakeWriteError(f"{self.table}: writer is {self._state}; cannot write")
        for batch in self._as_batches(data):
            if batch.num_rows:
                self._pending.append(batch)
                self.buffered_rows += batch.num_rows
                self.buffered_bytes += batch.nbytes
            while self.buffered_rows >= self.row_group_size:
                self._flush(self.row_group_size)
            if self.row_group_bytes is not None and self.buffered_bytes >= self.row_group_bytes:
                self._flush(self.buffered_rows)
        self.max_buffered_rows = max(self.max_buffered_rows, self.buffered_rows)

    def _as_batches(self, data: Any) -> list[pa.RecordBatch]:
        if isinstance(data, pa.RecordBatch):
            batches = [data]
        elif isinstance(data, pa.Table):
            batches = data.to_batches()
        else:
            rows = list(data)
            batches = [pa.RecordBatch.from_pylist(rows, schema=self.schema)] if rows else []
        return [self._conform(b) for b in batches]

    def _conform(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """Reorder/cast to the exact schema; refuse missing or unknown columns and nulls in ids."""
        if not batch.schema.equals(self.schema, check_metadata=False):
            names = set(batch.schema.names)
            missing = [n for n in self.schema.names if n not in names]
            unknown = [n for n in batch.schema.names if self.schema.get_field_index(n) < 0]
            if missing or unknown:
                raise LakeWriteError(f"{self.table}: batch does not match the schema (missing {missing}, unknown {unknown})")
            try:
                arrays = [batch.column(f.name).cast(f.type) for f in self.schema]
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
                raise LakeWriteError(f"{self.table}: batch columns cannot be cast to the schema: {exc}") from exc
            batch = pa.RecordBatch.from_arrays(arrays, schema=self.schema)
        for field, column in zip(self.schema, batch.columns):
            if not field.nullable and column.null_count:
                raise LakeWriteError(f"{self.table}: required column {field.name!r} has {column.null_count} null(s)")
        return batch

    def flush(self) -> None:
        """Write everything buffered as one (possibly short) row group now, to free its memory."""
        if self._state == "open" and self.buffered_rows:
            self._flush(self.buffered_rows)

    def _flush(self, rows: int) -> None:
        """Write the first ``rows`` buffered rows as one row group; keep the rest buffered."""
        assert self._writer is not None
        buffered = pa.Table.from_batches(self._pending, schema=self.schema)
        chunk = buffered.slice(0, rows)
        self._writer.write_table(chunk, row_group_size=max(rows, 1))
        rest = buffered.slice(rows)
        self._pending = rest.to_batches() if rest.num_rows else []  # zero-copy slices
        self.buffered_rows = rest.num_rows
        self.buffered_bytes = sum(b.nbytes for b in self._pending)
        self.rows_written += chunk.num_rows
        self.row_groups += 1

    # -- outcome ---------------------------------------------------------------------------------
    def commit(self) -> WriteStats:
        """Flush, close, move into place, remove stale files of the partition; returns the stats."""
        if self._state == "committed" and self.stats is not None:
            return self.stats
        if self._state == "new":
            self.open()
        if self._state != "open":
            raise LakeWriteError(f"{self.table}: writer is {self._state}; cannot commit")
        try:
            if self.buffered_rows:
                self._flush(self.buffered_rows)
            assert self._writer is not None
            self._writer.close()
            size = self._file.tell()
            self._file.close()
            self._move_into_place()
        except BaseException:
            self.abort()
            raise
        self._state = "committed"
        self._remove_stale()
        self.stats = WriteStats(rows=self.rows_written, bytes=int(size), path=self.final_path, row_groups=self.row_groups)
        return self.stats

    def _move_into_place(self) -> None:
        if _is_local(self.fs):
            os.makedirs(self.final_dir, exist_ok=True)
            os.replace(self.staging_path, self.final_path)  # atomic rename on one filesystem
            _rmdir_quietly(self.staging_dir)
        else:
            self.fs.mv(self.staging_path, self.final_path)  # server-side copy: atomic per object, then delete

    def _remove_stale(self) -> None:
        for path in self.fs.ls(self.final_dir, detail=False):
            if posixpath.basename(path.rstrip("/")) != PART_FILE:
                self.fs.rm(path, recursive=True)

    def abort(self) -> None:
        """Drop everything staged; the committed partition (if any) stays as it was."""
        if self._state in ("committed", "aborted"):
            return
        self._state = "aborted"
        self._pending, self.buffered_rows, self.buffered_bytes = [], 0, 0
        for closer in (getattr(self._writer, "close", None), getattr(self._file, "close", None)):
            try:
                if closer is not None:
                    closer()
            except Exception as exc:  # the store may be the reason we are aborting
                log.debug("ignored error while aborting %s: %s", self.staging_path, exc)
        try:
            if self.fs.exists(self.staging_path):
                self.fs.rm(self.staging_path)
        except Exception as exc:
            log.warning("could not delete staged file %s: %s", self.staging_path, exc)
        if _is_local(self.fs):
            _rmdir_quietly(self.staging_dir)


def _rmdir_quietly(path: str) -> None:
    # Only the writer's own uuid folder: removing the shared _staging folder could race a writer
    # that is creating its folder inside it.
    try:
        os.rmdir(path)
    except OSError:
        pass
