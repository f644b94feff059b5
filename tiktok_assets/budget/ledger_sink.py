"""Persist the request ledger to the lake's ``credit_ledger`` table.

Two paths into the lake, one layout:
``credit_ledger/date=<UTC day of requested_at>/run=<run_id>.<label>-<id>/``.

* **From the shared state** (the normal path): the client commits one row per request to the
  deployment's shared state (:mod:`tiktok_assets.state.ledger`), so a pod killed by SIGKILL loses
  nothing. Leaving :func:`ledger_flushing` exports *every* row not yet in the lake — this step's, and
  those of any run that died before exporting — exactly once (claimed batch, atomic partition).
* **Directly** (:func:`flush_ledger`): entries the shared state could not take, and clients without
  a shared state (tests' stand-ins).

Why a unique id in the partition key: the lake replaces a partition atomically and holds exactly one
file per partition (see :mod:`tiktok_assets.lake.writer`); steps of one run may export in parallel
processes and a retried step exports again, so a key by run id alone would lose rows. Readers group
by the ``run_id`` *column*.

Why a context manager: a run that fails (402, the budget guard, a bug) has still spent credits.
:func:`ledger_flushing` exports in ``finally``.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any

from ..lake.ledger import ledger_rows
from ..scavio.types import LedgerEntry
from ..state.ledger import LedgerStore
from .usage import LEDGER

log = logging.getLogger(__name__)


def flush_key(run_id: str, label: str | None = None) -> str:
    """A fresh partition key for one flush of ``run_id`` (unique across processes and retries)."""
    safe_label = (label or "run").replace("/", "_")
    return f"{run_id}.{safe_label}-{uuid.uuid4().hex[:8]}"


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


def ledger_store(client: Any) -> LedgerStore | None:
    """The shared-state ledger a client writes to, or ``None`` for a client without one."""
    pacer = getattr(client, "pacer", None)
    store = getattr(pacer, "store", None)
    engine = getattr(store, "engine", None)
    return LedgerStore(engine) if engine is not None else None


def export_ledger(lake: Any, client: Any, label: str | None = None) -> int:
    """Export every ledger row of the shared state not yet in the lake; returns the rows written."""
    store = ledger_store(client)
    if store is None:
        return 0
    written = store.export_pending(lake, label=label or "export")
    store.prune(time.time())
    return written


@contextmanager
def ledger_flushing(lake: Any, client: Any, run_id: str, asset: str | None = None) -> Iterator[None]:
    """Bring every ledger entry recorded inside the block into the lake, even when the block raises.

    With a shared state: export all pending rows (see the module doc). Without one: write the
    entries the client recorded inside the block; entries without an ``asset`` tag get ``asset``, so
    that the estimate and the checks can attribute them. A failure to write is raised only when the
    block itself succeeded, so the original error (e.g. ``InsufficientCreditsError``) is never
    masked; rows left in the shared state are exported by the next run.
    """
    store = ledger_store(client)
    start = len(client.ledger)
    failed = False
    try:
        yield
    except BaseException:
        failed = True
        raise
    finally:
        try:
            if store is None:  # the assets of a family run at once on one client: take this asset's entries only
                entries = [e if e.asset or asset is None else replace(e, asset=asset) for e in client.ledger[start:]
                           if asset is None or e.asset in (None, asset)]
            else:
                entries = _unsaved(client)
            if entries:
                flush_ledger(lake, entries, run_id, label=asset)
            if store is not None:
                exported = store.export_pending(lake, label=asset or "export")
                log.debug("exported %d ledger rows to the lake", exported)
        except Exception:
            if not failed:
                raise
            log.exception("could not write the ledger of run %s to the lake (shared-state rows follow with the next run)",
                          run_id)


def _unsaved(client: Any) -> list[LedgerEntry]:
    """Entries the shared state refused (kept in memory by the client's ledger)."""
    ledger = getattr(client, "_ledger", None)  # noqa: SLF001 - the client owns one Ledger per run
    return ledger.take_unsaved() if ledger is not None and hasattr(ledger, "take_unsaved") else []
