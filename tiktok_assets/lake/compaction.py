"""Upkeep of one Delta table: compact the partitions that need it, then vacuum, from one table open.

Why a plan before compacting: ``optimize.compact`` over every closed day reads the whole table's
file list and bins every partition again, every day, so its cost grows with the days kept. Most
closed days were compacted the day after they closed and hold one file; only partitions with two
or more small files (files below the compaction target) have anything to merge. The plan reads
the file list the table already holds in memory (no store request) and names just those
partitions, so a day whose history is compacted costs nothing to keep compacted. The capture log
is partitioned by table, not by day, so each table's part of it only grows: there a file of
:data:`CAPTURE_LOG_SETTLED_ROWS` records or more is settled, and the daily compaction merges only
the newer files beside it.

Why the vacuum is "lite" by default: a full vacuum lists every object under the table (one LIST
page per 1,000 objects on S3) to find files no version references, which grows with the history.
A lite vacuum deletes only the files the log records as removed (its tombstones), which is what a
compaction or a replace leaves behind. What only a full vacuum finds: files a killed writer wrote
but never committed, and removed files whose tombstone the log dropped before a lite vacuum saw
them (Delta keeps tombstones for the table's ``delta.deletedFileRetentionDuration``, a week by
default, so with a vacuum retention above 168 hours only the full vacuum deletes them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from tiktok_assets.lake.delta import with_commit_retries

# delta-rs's own default target for ``optimize.compact`` (100 MiB); passed explicitly so the plan and
# the compaction agree on which files are "small".
DEFAULT_TARGET_FILE_SIZE = 100 * 2**20
# Rows from which a capture-log file is settled (never rewritten again). The log only grows, and its
# records compress so well that a byte target is never reached: without this, every daily compaction
# would rewrite the whole log. 100,000 records are about 12 days at 1,000 accounts (posts' window of 8
# days each); reading the log stays a handful of files.
CAPTURE_LOG_SETTLED_ROWS = 100_000


@dataclass(frozen=True)
class TableUpkeep:
    """What one table's upkeep did (the maintenance asset's metadata row)."""

    table: str
    files_before: int
    files_after: int
    compacted_away: int
    partitions_compacted: int
    vacuumed: int


@dataclass(frozen=True)
class CompactionPlan:
    """The partitions a compaction would change, and the target size that makes it so."""

    partitions: list[str]
    target_size: int


def plan_compaction(dt: Any, column: str, *, before: str | None = None,
                    target_size: int = DEFAULT_TARGET_FILE_SIZE, settled_rows: int | None = None) -> CompactionPlan:
    """Values of partition ``column`` (only those ``< before`` when given; ISO dates compare as
    strings) that hold two or more small files that fit in one, from the table's in-memory file list
    (no store request). A file is small when below ``target_size``: delta-rs never rewrites a file
    at or above the target, and merges files into bins of at most the target.

    With ``settled_rows``, a file of at least that many rows is settled too: the target drops to the
    smallest settled file's size, so the newer files are merged beside it and it is not rewritten
    again (a partition that only grows, like the capture log's, then costs the rows added since,
    not all of them)."""
    adds = pa.table(dt.get_add_actions(flatten=False))
    if adds.num_rows == 0:
        return CompactionPlan([], target_size)
    values = pc.cast(pc.struct_field(adds.column("partition"), column), pa.string())
    sizes = adds.column("size_bytes")
    in_scope = pc.is_valid(values) if before is None else pc.less(values, before)
    target = target_size
    if settled_rows is not None:
        settled = pc.filter(sizes, pc.and_(in_scope, pc.greater_equal(adds.column("num_records"), settled_rows)))
        if len(settled):
            target = min(target, int(pc.min(settled).as_py()))
    keep = pc.and_(in_scope, pc.less(sizes, target))
    smallest: dict[str, list[int]] = {}  # partition -> its two smallest small files' sizes
    for value, size in zip(pc.filter(values, keep).to_pylist(), pc.filter(sizes, keep).to_pylist()):
        if value is not None:
            smallest[value] = sorted([*smallest.get(value, []), size])[:2]
    # delta-rs merges files into bins of at most the target: two files that do not fit together never merge
    return CompactionPlan(sorted(v for v, two in smallest.items() if len(two) == 2 and sum(two) <= target), target)


def compact(dt: Any, name: str, column: str, *, before: str | None = None,
            target_size: int = DEFAULT_TARGET_FILE_SIZE, settled_rows: int | None = None) -> tuple[int, dict[str, Any]]:
    """Compact the partitions :func:`plan_compaction` names, in one commit on the open ``dt``
    (retried on a conflict with a writer, on the newer version); returns how many partitions, and
    delta-rs's metrics (empty when there was nothing to do: no commit then)."""
    plan = plan_compaction(dt, column, before=before, target_size=target_size, settled_rows=settled_rows)
    if not plan.partitions:
        return 0, {}
    attempts = 0

    def attempt() -> dict[str, Any]:
        nonlocal attempts
        if attempts:
            dt.update_incremental()  # a writer committed in between: compact its version
        attempts += 1
        # one commit for every partition: a commit per day would grow the log by a year of versions
        return dt.optimize.compact(partition_filters=[(column, "in", plan.partitions)], target_size=plan.target_size)

    return len(plan.partitions), with_commit_retries(attempt, f"{name} compact")


def upkeep(dt: Any, name: str, column: str, *, before: str | None, retention_hours: float, full_vacuum: bool,
           target_size: int = DEFAULT_TARGET_FILE_SIZE, settled_rows: int | None = None) -> TableUpkeep:
    """Compact the partitions of ``dt`` that need it, then vacuum what no version newer than
    ``retention_hours`` needs, on the one open ``DeltaTable`` (compaction updates it in place)."""
    files_before = len(dt.file_uris())
    partitions, metrics = compact(dt, name, column, before=before, target_size=target_size, settled_rows=settled_rows)
    vacuumed = dt.vacuum(retention_hours=int(retention_hours), dry_run=False, enforce_retention_duration=False,
                         full=full_vacuum)
    return TableUpkeep(table=name, files_before=files_before, files_after=len(dt.file_uris()),
                       compacted_away=int(metrics.get("numFilesRemoved", 0)), partitions_compacted=partitions,
                       vacuumed=len(vacuumed))
