"""Budget reservations in the shared state: credits per (key, run, UTC day), changed under one lock.

Why the lock spans the read and the write: "check the budget, then reserve" is only exact when no
other host can reserve between the two. On PostgreSQL that is a transaction-scoped advisory lock
per key; on SQLite, ``BEGIN IMMEDIATE``. The policy (which limits, what counts) is the caller's, in
:mod:`tiktok_assets.budget.reservations`.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, bindparam, delete, func, insert, select, update

from .engine import locked
from .tables import budget_spend

# The statements of every reservation, built once: with a budget set, each request reserves and may
# settle here (see :mod:`tiktok_assets.state.pace` for why building them per call was the cost).
_ROW = ((budget_spend.c.key_fp == bindparam("k")) & (budget_spend.c.run_id == bindparam("run"))
        & (budget_spend.c.day == bindparam("d")))
_PERIOD_ROWS = select(budget_spend.c.run_id, budget_spend.c.day, budget_spend.c.credits).where(
    budget_spend.c.key_fp == bindparam("k"), budget_spend.c.day >= bindparam("first"),
    budget_spend.c.day < bindparam("end"))
_CREDITS = select(budget_spend.c.credits).where(_ROW)
_INSERT = insert(budget_spend)
_UPDATE = update(budget_spend).where(_ROW)

Rows = dict[tuple[str, str], int]  # (run_id, YYYY-MM-DD) -> credits


class SpendStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def _rows(conn, key_fp: str, first_day: str, end_day: str) -> Rows:  # type: ignore[no-untyped-def]
        params = {"k": key_fp, "first": first_day, "end": end_day}
        return {(r.run_id, r.day): int(r.credits) for r in conn.execute(_PERIOD_ROWS, params)}

    @staticmethod
    def _add(conn, key_fp: str, run_id: str, day: str, delta: int, stamp: str) -> None:  # type: ignore[no-untyped-def]
        row = {"k": key_fp, "run": run_id, "d": day}
        current = conn.execute(_CREDITS, row).scalar()
        if current is None:
            conn.execute(_INSERT, {"key_fp": key_fp, "run_id": run_id, "day": day, "credits": max(0, delta),
                                   "updated_at": stamp})
        else:
            conn.execute(_UPDATE, {**row, "credits": max(0, int(current) + delta), "updated_at": stamp})

    def reserve(self, key_fp: str, run_id: str, day: str, n: int, period: tuple[str, str], stamp: str,
                check: Callable[[Rows], None]) -> None:
        """``check(rows of the period)`` raises to refuse; otherwise ``n`` is added, atomically."""
        with locked(self.engine, f"budget:{key_fp}") as conn:
            check(self._rows(conn, key_fp, *period))
            self._add(conn, key_fp, run_id, day, n, stamp)

    def adjust(self, key_fp: str, run_id: str, day: str, delta: int, stamp: str) -> None:
        with locked(self.engine, f"budget:{key_fp}") as conn:
            self._add(conn, key_fp, run_id, day, delta, stamp)

    def rows(self, key_fp: str | None, period: tuple[str, str]) -> Rows:
        """Rows of one key (or, ``None``, summed over every key) in ``[first_day, end_day)``."""
        with self.engine.connect() as conn:
            if key_fp is not None:
                return self._rows(conn, key_fp, *period)
            q = (select(budget_spend.c.run_id, budget_spend.c.day, func.sum(budget_spend.c.credits))
                 .where(budget_spend.c.day >= period[0], budget_spend.c.day < period[1])
                 .group_by(budget_spend.c.run_id, budget_spend.c.day))
            return {(r[0], r[1]): int(r[2] or 0) for r in conn.execute(q)}

    def prune(self, before_day: str) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(budget_spend).where(budget_spend.c.day < before_day)).rowcount
