"""The request ledger in the shared state: one row per request, written when its answer arrives.

Why here first and in the lake second: a pod killed by SIGKILL or the OOM killer never reaches its
``finally``; a row committed per request survives it. The lake's ``credit_ledger`` table (read by
dbt's ``fct_credit_usage``) gets every row exactly once by :func:`export_pending`, which any later
run calls (so a dead run's rows arrive with the next run, on any host).

Exactly once, without a distributed transaction: one exporter at a time holds a lease (a row with
an expiry, so a dead exporter's lease lapses); it *claims* pending rows with a batch id (one
transaction), writes them to the lake under a partition key derived from that batch id, then marks
them exported. A crash between the steps leaves a claimed, unexported batch; the next export rewrites
the very same partition key (the lake replaces a partition), so nothing is counted twice. The lease
keeps two hosts from writing the same batch at once (the lake's replace is not safe against that).
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import Engine, and_, case, delete, func, insert, select, update

from ..scavio.types import LedgerEntry
from .engine import locked
from .tables import lease, ledger

log = logging.getLogger(__name__)

LEDGER_TABLE = "credit_ledger"
KEEP_EXPORTED_DAYS = 70  # rows older than two billing months are pruned once exported
LEASE_SECONDS = 300.0  # an exporter that died holding the lease is replaced after this
LEASE_WAIT_SECONDS = 120.0  # how long an exporter waits for another host's export to finish
_ROW_FIELDS = ("endpoint", "params_hash", "http_status", "credits_used", "credits_remaining", "latency_ms",
               "requested_at", "asset", "partition", "entity", "run_id")
# Built once: :meth:`LedgerStore.append` runs once per request (see :mod:`tiktok_assets.state.pace`).
_APPEND = insert(ledger)


class LedgerStore:
    """Append and read ledger rows of the shared state."""

    def __init__(self, engine: Engine, key_fp: str | None = None) -> None:
        self.engine = engine
        self.key_fp = key_fp

    def append(self, entry: LedgerEntry) -> None:
        """One committed row; called per request, before the request's result is used."""
        with self.engine.begin() as conn:
            conn.execute(_APPEND, {"key_fp": self.key_fp, "exported": False,
                                   **{f: getattr(entry, f) for f in _ROW_FIELDS}})

    def totals_by_day(self, start: float, end: float) -> dict[str, int]:
        """``YYYY-MM-DD (UTC) -> credits`` of requests in ``[start, end)`` (unix seconds)."""
        day = func.floor(ledger.c.requested_at / 86400)
        q = (select(day.label("d"), func.sum(ledger.c.credits_used))
             .where(ledger.c.requested_at >= start, ledger.c.requested_at < end).group_by(day))
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return {datetime.fromtimestamp(int(d) * 86400, tz=timezone.utc).date().isoformat(): int(total or 0)
                for d, total in rows}

    def latest_balance(self, since: float) -> tuple[int, datetime] | None:
        """The newest ``credits_remaining`` an answer reported since ``since`` (smallest on ties)."""
        q = (select(ledger.c.credits_remaining, ledger.c.requested_at)
             .where(ledger.c.credits_remaining.is_not(None), ledger.c.requested_at >= since)
             .order_by(ledger.c.requested_at.desc(), ledger.c.credits_remaining.asc()).limit(1))
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        if row is None:
            return None
        return int(row[0]), datetime.fromtimestamp(float(row[1]), tz=timezone.utc)

    def entries(self, run_id: str | None = None) -> list[LedgerEntry]:
        q = select(*(ledger.c[f] for f in _ROW_FIELDS)).order_by(ledger.c.id)
        if run_id is not None:
            q = q.where(ledger.c.run_id == run_id)
        with self.engine.connect() as conn:
            return [LedgerEntry(**row) for row in conn.execute(q).mappings()]

    def spend_by_asset(self, run_id: str) -> dict[str | None, tuple[int, int]]:
        """``asset -> (charged requests, credits)`` of ``run_id``'s rows, summed by the database.

        Why not :meth:`entries`: the CLI's summary needs two sums per asset, and building a
        ``LedgerEntry`` per request (thousands for a full load) only to add them up was most of its time.
        """
        credits = func.coalesce(ledger.c.credits_used, 0)
        q = (select(ledger.c.asset, func.sum(case((credits != 0, 1), else_=0)), func.sum(credits))
             .where(ledger.c.run_id == run_id).group_by(ledger.c.asset))
        with self.engine.connect() as conn:
            return {asset: (int(pages or 0), int(total or 0)) for asset, pages, total in conn.execute(q)}

    def pending(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(ledger).where(ledger.c.exported.is_(False))).scalar() or 0)

    # --- export to the lake ------------------------------------------------------------------------
    def _claim(self) -> list[str]:
        """Give every unclaimed unexported row a batch id; return all unexported batch ids."""
        batch = uuid.uuid4().hex[:16]
        with self.engine.begin() as conn:
            conn.execute(update(ledger).where(ledger.c.exported.is_(False), ledger.c.export_batch.is_(None))
                         .values(export_batch=batch))
            return [b for (b,) in conn.execute(select(ledger.c.export_batch).where(
                ledger.c.exported.is_(False)).distinct())]

    def _batch(self, batch: str) -> list[LedgerEntry]:
        q = select(*(ledger.c[f] for f in _ROW_FIELDS)).where(ledger.c.export_batch == batch).order_by(ledger.c.id)
        with self.engine.connect() as conn:
            return [LedgerEntry(**row) for row in conn.execute(q).mappings()]

    @contextmanager
    def _lease(self, name: str, wait: float) -> Iterator[bool]:
        """Hold the lease ``name`` (yields True), or yield False after ``wait`` seconds of trying."""
        me = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        deadline = time.monotonic() + wait
        while True:
            with locked(self.engine, f"lease:{name}") as conn:
                now = time.time()
                row = conn.execute(select(lease.c.holder, lease.c.expires_at).where(lease.c.name == name)).first()
                if row is None:
                    conn.execute(insert(lease).values(name=name, holder=me, expires_at=now + LEASE_SECONDS))
                    break
                if row.expires_at < now:
                    conn.execute(update(lease).where(lease.c.name == name).values(holder=me, expires_at=now + LEASE_SECONDS))
                    break
            if time.monotonic() > deadline:
                yield False
                return
            time.sleep(0.1)
        try:
            yield True
        finally:
            with self.engine.begin() as conn:
                conn.execute(delete(lease).where(lease.c.name == name, lease.c.holder == me))

    def export_pending(self, lake: Any, label: str = "export", wait: float = LEASE_WAIT_SECONDS) -> int:
        """Copy every unexported row to the lake's ``credit_ledger``; returns the rows exported.

        Holds the export lease; when another host holds it longer than ``wait``, exports nothing
        (the rows stay pending for the next export) and says so in the log.
        """
        with self._lease("ledger-export", wait) as held:
            if not held:
                log.warning("ledger export: another host holds the export lease; %d rows left for the next run",
                            self.pending())
                return 0
            return self._export(lake, label)

    def _export(self, lake: Any, label: str) -> int:
        """Under the lease: claim, write, mark. Partitions: one per (UTC day, run id) of a batch, keyed
        ``<run_id>.<label>-<batch>``, written with ``Lake.write_partition`` (a replace of that key, so a
        re-export after a crash is idempotent).
        """
        from ..lake.ledger import ledger_rows

        exported = 0
        for batch in self._claim():
            rows = self._batch(batch)
            groups: dict[tuple[date, str], list[LedgerEntry]] = defaultdict(list)
            for entry in rows:
                day = datetime.fromtimestamp(float(entry.requested_at), tz=timezone.utc).date()
                groups[(day, entry.run_id or "unknown-run")].append(entry)
            for (day, run_id), entries in sorted(groups.items()):
                safe = (label or "export").replace("/", "_").replace(".", "_")
                lake.write_partition(LEDGER_TABLE, day, f"{run_id}.{safe}-{batch}", ledger_rows(entries, run_id=run_id))
            with self.engine.begin() as conn:
                conn.execute(update(ledger).where(ledger.c.export_batch == batch).values(exported=True))
            exported += len(rows)
        return exported

    def prune(self, now: float) -> int:
        cutoff = now - KEEP_EXPORTED_DAYS * 86400
        with self.engine.begin() as conn:
            return conn.execute(delete(ledger).where(and_(ledger.c.exported.is_(True),
                                                          ledger.c.requested_at < cutoff))).rowcount

