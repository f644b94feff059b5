"""Persist the client's in-memory ledger to the lake's ``credit_ledger`` table.

Layout: ``credit_ledger/date=<UTC day of requested_at>/run=<run_id>.<flush id>/part-0.parquet``.

Why a flush id in the folder key: the lake replaces a partition atomically and holds exactly one
``part-0.parquet`` per partition (see :mod:`tiktok_assets.lake.writer`). A run flushes once per asset
step, steps of one run may execute in parallel processes, and a retried step flushes again, so a
folder keyed by the run id alone would lose earlier rows (or need a racy read-modify-write). Every
flush therefore writes its own immutable partition, ``<run_id>.<asset>-<8 hex>``; readers group by
the ``run_id`` *column*, and the sensors' cursor can count each immutable file exactly once.

Why a context manager: a run that fails (402, the budget guard, a bug) has still spent credits.
:func:`ledger_flushing` flushes in ``finally`` whatever the client recorded inside the block.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any

from ..lake.ledger import ledger_rows
from ..scavio.types import LedgerEntry
from .usage import LEDGER

log = logging.getLogger(__name__)


def flush_key(run_id: str, label: str | None = None) -> str:
    """A fresh partition key for one flush of ``run_id`` (unique across processes and retries)."""
    safe_label = (label or "run").replace("/", "_")
    return f"{run_id}.{safe_label}-{uuid.uuid4().hex[:8]}"


def run_id_of_key(key: str) -> str:
    """The run id part of a flush key (run ids never contain ``.``: Dagster uses UUIDs)."""
    return key.split(".", 1)[0]


def flush_ledger(lake: Any, entries: Sequence[LedgerEntry], run_id: str, *, label: str | None = None) -> list[str]:
    """Write ``entries`` (one row each) under the UTC day of their ``requested_at``.

    Returns the partition paths written (one per day touched); no entries writes nothing. Entries
    without their own ``run_id`` get ``run_id``.
    """
    if not run_id:
        raise ValueError("flush_ledger needs a run_id (the credit_ledger partition key)")
    by_day: dict[date, list[LedgerEntry]] = defaultdict(list)
    for entry in entries:
        day = datetime.fromtimestamp(float(entry.requested_at), tz=timezone.utc).date()
        by_day[day].append(entry if entry.run_id else replace(entry, run_id=run_id))
    key = flush_key(run_id, label)
    written = []
    for day in sorted(by_day):
        lake.write_partition(LEDGER, day, key, ledger_rows(by_day[day], run_id=run_id))
        written.append(lake.partition_dir(LEDGER, day, key))
    return written


@contextmanager
def ledger_flushing(lake: Any, client: Any, run_id: str, asset: str | None = None) -> Iterator[None]:
    """Flush every ledger entry the client records inside the block, even when the block raises.

    Entries without an ``asset`` tag get ``asset`` so that the estimate and the checks can attribute
    them. A failure to flush is raised only when the block itself succeeded, so the original error
    (e.g. ``InsufficientCreditsError``) is never masked.
    """
    start = len(client.ledger)
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        entries = [e if e.asset or asset is None else replace(e, asset=asset) for e in client.ledger[start:]]
        if entries:
            try:
                flush_ledger(lake, entries, run_id, label=asset)
            except Exception:
                if not failed:
                    raise
                log.exception("could not flush %d ledger entries of run %s", len(entries), run_id)
