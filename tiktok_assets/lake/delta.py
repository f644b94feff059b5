"""Delta Lake plumbing shared by the lake: storage options, SQL predicates, conforming rows, retries.

Why Delta (``deltalake``, delta-rs): every commit is one atomic log entry, so a reader sees a table
version, never half a write; a killed writer leaves files no version references (invisible, removed
by ``vacuum``); commits from several processes are serialized by the store (``If-None-Match`` on
S3, no lock service); and many entities land in one commit, so the lake holds a few files per day
instead of one per (day, entity). Tables are partitioned by ``partition_date`` only: the entity is
a column (``tracked_entity``), never a folder, so any key the API accepts fits.

Replacing (a rerun of the same capture) is ``write_deltalake(mode="overwrite", predicate=...)``: the
rows the predicate matches are removed and the new ones added in the same commit. Two processes
replacing rows of the same day conflict (``CommitFailedError``); :func:`with_commit_retries` retries
with jittered backoff, which the spike measured at 80/80 commits landed.

Memory of a commit: the rows are streamed into ``write_deltalake`` as a ``pa.RecordBatchReader``
(never a materialized table), with :data:`COMMIT_TARGET_FILE_SIZE` and :data:`COMMIT_ROW_GROUP_ROWS`
(:func:`commit_writer_properties`), see there for the measured figures.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any, TypeVar
from urllib.parse import unquote

import pyarrow as pa

from tiktok_assets.lake.schemas import SCHEMAS

log = logging.getLogger(__name__)
T = TypeVar("T")

PARTITION_COLUMN = "partition_date"
DEFAULT_TIMEOUT_SECONDS = 20.0
COMMIT_RETRIES = 12
BACKOFF_BASE_SECONDS = 0.05
BACKOFF_CAP_SECONDS = 2.0

# What one lake commit (``write_deltalake``) holds, measured 2026-12-01 in a fresh process sampling
# /proc/self/statm (not ru_maxrss, which after fork + exec still holds the parent's peak):
# - one million synthetic unique comment rows (649 MB of Arrow, 3 partition days, generated in Python,
#   slower than a Parquet read), streamed as a RecordBatchReader: +544 MB with delta-rs's defaults, +280 MB with an 8 MiB
#   target file size and 65,536-row row groups (+248 MB as an overwrite with a predicate), +206 MB
#   with a 4 MiB target (and 16,384-row row groups);
# - the million-comment scenario's real rows (760 MB of Arrow, mostly the ``raw`` JSON column, 6 days),
#   read back from Parquet as the batch reads its spills (benchmarks/commit_memory.py): +763 MB with
#   the defaults, +538 MB with 8 MiB targets and 65,536-row groups; 4 MiB targets or 16,384-row groups moved it by less than
#   the run-to-run spread (+450..+610 MB). Throttling the reader brought it to about +360 MB, which
#   suggests delta-rs reads the stream ahead of its Parquet encoding and holds what it read.
# 1 MiB (2026-12-05, with ``batch.SPILL_READ_ROWS`` 2,048 instead of 8,192): the same real rows replayed
# added +245 MB instead of +432 MB, and the whole run's commit +120 MB over its streaming level instead
# of +222 MB (peak 585 MB against 624 MB), commit time unchanged (6.4-7.8 s per million synthetic rows
# for every setting tried). On a million synthetic rows: 8 MiB and 8,192-row reads +227..+252 MB,
# 1 MiB alone +185, 2,048-row reads alone +200 (1,024: +200), 1 MiB with 2,048 +140..+150, 2 MiB with
# 2,048 +161; 65,536-row reads +603. The price is files: about 490 per million comments instead of 60.
# Small files cost nothing lasting: only huge entities fill more than one, and the daily maintenance
# compacts closed days into files of ``compaction.DEFAULT_TARGET_FILE_SIZE`` (100 MiB).
COMMIT_TARGET_FILE_SIZE = 1 * 2**20  # bytes per data file a commit writes (Lake(target_file_size=...) overrides)
COMMIT_ROW_GROUP_ROWS = 64 * 1024  # rows per Parquet row group a commit writes
COMMIT_COMPRESSION = "ZSTD"


def commit_writer_properties() -> Any:
    """The ``WriterProperties`` of every lake commit (row-group cap and compression above)."""
    from deltalake import WriterProperties

    return WriterProperties(compression=COMMIT_COMPRESSION, max_row_group_size=COMMIT_ROW_GROUP_ROWS)


class LakeWriteError(ValueError):
    """Data handed to the lake does not fit the table (a bug in our code, not in one entity's data)."""


class LakeUnreachableError(RuntimeError):
    """The lake's store cannot be reached or does not exist (bad endpoint, missing bucket, no answer)."""


def entity_column(table: str) -> str:
    """The column naming the entity a row belongs to (the ledger's rows belong to one flush)."""
    return "flush_id" if table == "credit_ledger" else "tracked_entity"


def storage_options(s3_endpoint_url: str | None, key: str | None, secret: str | None, timeout: float) -> dict[str, str]:
    """delta-rs (object_store) options for an S3 lake: endpoint, keys, and short timeouts/retries so an
    endpoint that never answers fails within about ``3 * timeout`` instead of minutes."""
    seconds = f"{max(timeout, 0.1):g}s"
    opts = {"timeout": seconds, "connect_timeout": seconds, "max_retries": "1",
            "retry_timeout": f"{max(timeout, 0.1) * 1.5:g}s"}
    if s3_endpoint_url:
        opts["AWS_ENDPOINT_URL"] = s3_endpoint_url
        if s3_endpoint_url.startswith("http://"):
            opts["AWS_ALLOW_HTTP"] = "true"
    if key:
        opts["AWS_ACCESS_KEY_ID"] = key
    if secret:
        opts["AWS_SECRET_ACCESS_KEY"] = secret
    opts.setdefault("AWS_REGION", "us-east-1")
    return opts


def live_file_uris(dt: Any, pruning: list[tuple[str, str, Any]] | None = None) -> list[str]:
    """The data files of ``dt``'s loaded version, as paths a filesystem opens.

    Why decoded: the Delta log holds each file's path as a URI, and delta-rs's ``file_uris()`` returns
    it percent-encoded: a lake under ``/home/Jane Doe`` gives ``/home/Jane%20Doe/...``, which neither
    pyarrow, fsspec nor DuckDB finds (a ``%`` in a folder name is ``%25``, so decoding is exact)."""
    uris = dt.file_uris(file_pruning_predicate=pruning) if pruning else dt.file_uris()
    return [unquote(u) for u in uris]


# --- SQL predicates (delta-rs parses them with DataFusion) ------------------------------------------
def sql_literal(value: Any) -> str:
    """A SQL literal: strings quoted with ``'`` doubled, dates and UTC times as ISO strings."""
    if isinstance(value, datetime):
        return "'" + value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") + "'"
    if isinstance(value, date):
        return "'" + value.isoformat() + "'"
    return "'" + str(value).replace("'", "''") + "'"


def in_list(column: str, values: Iterable[Any]) -> str:
    vals = sorted({sql_literal(v) for v in values})
    if not vals:
        return "false"
    return f"{column} = {vals[0]}" if len(vals) == 1 else f"{column} IN ({', '.join(vals)})"


def capture_day_clause(day: date) -> str:
    """Rows captured on UTC day ``day`` (``captured_at`` is a UTC timestamp)."""
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    return f"captured_at >= {sql_literal(start)} AND captured_at < {sql_literal(start + timedelta(days=1))}"


# --- rows -------------------------------------------------------------------------------------------
def conform(table: str, data: pa.RecordBatch | pa.Table) -> pa.Table:
    """Reorder/cast ``data`` to the table's schema; refuse missing or unknown columns and null ids."""
    schema = SCHEMAS.get(table)
    if schema is None:
        raise LakeWriteError(f"unknown lake table {table!r}")
    tbl = pa.Table.from_batches([data]) if isinstance(data, pa.RecordBatch) else data
    if not tbl.schema.equals(schema, check_metadata=False):
        names = set(tbl.schema.names)
        missing = [n for n in schema.names if n not in names and not schema.field(n).nullable]
        unknown = [n for n in tbl.schema.names if schema.get_field_index(n) < 0]
        if missing or unknown:
            raise LakeWriteError(f"{table}: batch does not match the schema (missing {missing}, unknown {unknown})")
        try:
            arrays = [tbl.column(f.name).cast(f.type) if f.name in names else pa.nulls(tbl.num_rows, f.type)
                      for f in schema]
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise LakeWriteError(f"{table}: batch columns cannot be cast to the schema: {exc}") from exc
        tbl = pa.Table.from_arrays(arrays, schema=schema)
    for field in schema:
        column = tbl.column(field.name)
        if not field.nullable and column.null_count:
            raise LakeWriteError(f"{table}: required column {field.name!r} has {column.null_count} null(s)")
    return tbl


def as_schema(table: str, data: pa.Table, columns: list[str] | None = None) -> pa.Table:
    """Rows read back from Delta (timestamps in us, partition column last) typed exactly as the schema."""
    schema = SCHEMAS[table]
    wanted = columns if columns is not None else schema.names
    return pa.Table.from_arrays([data.column(n).cast(schema.field(n).type) for n in wanted],
                                schema=pa.schema([schema.field(n) for n in wanted]))


# --- commits ----------------------------------------------------------------------------------------
def is_commit_conflict(exc: BaseException) -> bool:
    from deltalake.exceptions import CommitFailedError

    text = str(exc).lower()
    return isinstance(exc, CommitFailedError) or ("concurrent" in text and "transaction" in text)


def with_commit_retries(action: Callable[[], T], what: str, *, retries: int = COMMIT_RETRIES,
                        sleep: Callable[[float], None] = time.sleep) -> T:
    """Run ``action`` (one commit) again after a concurrent-commit conflict, with full-jitter backoff.

    Why at our level: delta-rs resolves conflicts between plain appends itself, but a replace by
    predicate that raced another writer of the same partition fails with ``CommitFailedError``; the
    action re-reads the table, so a retry is the same replace on the newer version.
    """
    for attempt in range(retries + 1):
        try:
            return action()
        except Exception as exc:
            if not is_commit_conflict(exc) or attempt == retries:
                raise
            delay = random.uniform(0, min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** attempt))
            log.info("%s: commit conflict (%s), retry %d in %.2fs", what, type(exc).__name__, attempt + 1, delay)
            sleep(delay)
    raise AssertionError("unreachable")
