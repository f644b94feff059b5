"""An incremental count of the credit ledger, small enough to live in a sensor cursor.

Why incremental and keyed by file: a sensor ticks every few minutes for months; re-reading the whole
billing period each tick costs a listing plus dozens of Parquet reads. Every ledger flush is an
immutable partition with a unique key (see :mod:`tiktok_assets.budget.ledger_sink`), so remembering
which ``(date, key)`` pairs were counted makes each file count exactly once, also after a daemon
restart (the cursor is stored by Dagster with each tick). Days that leave the billing period are
dropped, so the cursor stays bounded by one period's flushes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .settings import BudgetSettings
from .usage import LEDGER, BudgetStatus, latest_balance, period_days, read_ledger

CURSOR_VERSION = 1


@dataclass
class LedgerTally:
    totals: dict[str, int] = field(default_factory=dict)  # YYYY-MM-DD -> credits counted
    seen: dict[str, list[str]] = field(default_factory=dict)  # YYYY-MM-DD -> flush keys counted
    latest_at: str | None = None  # ISO time of the newest credits_remaining seen
    latest_remaining: int | None = None
    last_level: str | None = None  # level reported at the previous tick (to log transitions once)

    # --- cursor ------------------------------------------------------------------------------------
    @classmethod
    def from_cursor(cls, cursor: str | None) -> LedgerTally:
        if not cursor:
            return cls()
        try:
            doc: dict[str, Any] = json.loads(cursor)
        except ValueError:
            return cls()  # a cursor from another sensor version: recount from the ledger
        if doc.get("v") != CURSOR_VERSION:
            return cls()
        return cls(totals={k: int(v) for k, v in doc.get("totals", {}).items()},
                   seen={k: list(v) for k, v in doc.get("seen", {}).items()},
                   latest_at=doc.get("latest_at"), latest_remaining=doc.get("latest_remaining"),
                   last_level=doc.get("last_level"))

    def to_cursor(self) -> str:
        return json.dumps({"v": CURSOR_VERSION, "totals": self.totals, "seen": self.seen,
                           "latest_at": self.latest_at, "latest_remaining": self.latest_remaining,
                           "last_level": self.last_level}, sort_keys=True, separators=(",", ":"))

    # --- counting ----------------------------------------------------------------------------------
    def update(self, lake: Any, now: datetime, cycle_day: int) -> int:
        """Count ledger files of the current billing period not counted yet; returns how many."""
        days = {d.isoformat() for d in period_days(now, cycle_day)}
        self.totals = {d: v for d, v in self.totals.items() if d in days}
        self.seen = {d: v for d, v in self.seen.items() if d in days}
        new = [(d.isoformat(), k) for d, k in lake.partitions(LEDGER)
               if d.isoformat() in days and k not in set(self.seen.get(d.isoformat(), ()))]
        if not new:
            return 0
        table = read_ledger(lake, dates={d for d, _ in new}, keys={k for _, k in new},
                            columns=["partition_date", "credits_used", "credits_remaining", "requested_at"])
        if table.num_rows:
            grouped = table.group_by("partition_date").aggregate([("credits_used", "sum")])
            for day, total in zip(grouped["partition_date"].to_pylist(), grouped["credits_used_sum"].to_pylist()):
                self.totals[day.isoformat()] = self.totals.get(day.isoformat(), 0) + int(total)
            balance = latest_balance(table)
            if balance is not None:
                remaining, at = balance
                if self.latest_at is None or at.isoformat() >= self.latest_at:
                    same_second = self.latest_at == at.isoformat() and self.latest_remaining is not None
                    self.latest_remaining = min(remaining, self.latest_remaining) if same_second else remaining
                    self.latest_at = at.isoformat()
        for day, key in new:
            self.seen.setdefault(day, []).append(key)
        return len(new)

    def status(self, settings: BudgetSettings, now: datetime) -> BudgetStatus:
        return BudgetStatus.compute(self.totals, settings, now)

