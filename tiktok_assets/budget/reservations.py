"""Daily and monthly credit budgets shared by every process and host that uses one API key.

Design: a reservation is written *before* each request, in the deployment's shared state
(``TIKTOK_STATE_URL``; SQLite under ``TIKTOK_STATE_DIR`` by default, see :mod:`tiktok_assets.state`).
``reserve(n)`` takes the key's lock (a PostgreSQL advisory lock, or SQLite's ``BEGIN IMMEDIATE``),
adds up what today's UTC day and the current billing month have already consumed, refuses with
:class:`BudgetExceededError` if ``n`` more would cross a limit, and otherwise records the ``n``
credits against this run, all in the same transaction. ``settle(reserved, used)`` then replaces the
reservation by what the response actually cost (0 for a 429/5xx/transport failure: a refund
releases the credit for everybody else).

What "already consumed" means: per ``(run_id, UTC day)``, the larger of
  * the ledger baseline, loaded from the lake's ``credit_ledger`` when the run starts (runs from
    before the shared state existed, or from a deployment with another state), and
  * the shared row (every run of the deployment, on every host, finished or in flight).
Taking the max per run, not the sum, avoids counting a run twice once its ledger reached the lake.
The ledger has no key column, so the baseline assumes one API key per lake.

Why not Dagster concurrency pools or run-queue tag limits alone: they bound how many runs or ops
run at once, not how many credits those runs spend, and they do not see the CLI or a second
``dagster dev``. Two concurrent runs each seeing "40 of 50 left" would together spend 80; counting
before every request under an exclusive lock makes the total exact.
"""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from pathlib import Path

from ..scavio.errors import BudgetExceededError
from ..state.engine import get_engine
from ..state.spend import Rows, SpendStore
from .settings import BudgetSettings, billing_period, day_window, utc_now

KEEP_DAYS = 70  # rows older than two billing months are pruned


def key_fingerprint(api_key: str) -> str:
    """A stable, non-reversible id for an API key (the key itself is never stored)."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:16]


Baseline = Mapping[tuple[str, str], int]  # (run_id, YYYY-MM-DD) -> credits seen in the ledger


class SharedBudgetLimit:
    """A ``CreditLimit`` for the client: cross-process daily and billing-month budgets.

    ``baseline`` is normally :func:`tiktok_assets.budget.usage.ledger_baseline` evaluated once at
    run start; ``clock`` is injectable so tests can move across a day or period boundary.
    """

    name = "shared credit budget"

    def __init__(
        self,
        settings: BudgetSettings,
        *,
        key_fp: str,
        run_id: str,
        baseline: Baseline | None = None,
        state_url: str | None = None,
        state_dir: str | Path | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.settings = settings
        self.key_fp = key_fp
        self.run_id = run_id
        self.baseline = dict(baseline or {})
        self.store = SpendStore(get_engine(state_url, state_dir))
        self.clock = clock
        self._open: deque[list] = deque()  # [day, credits] of unsettled reservations, oldest first
        self._lock = threading.Lock()
        self._pruned_day: str | None = None  # the UTC day of this limit's last prune

    def __repr__(self) -> str:  # the fingerprint is not secret, but keep reprs short and key-free
        return f"SharedBudgetLimit(daily={self.settings.daily}, monthly={self.settings.monthly}, run_id={self.run_id!r})"

    @property
    def active(self) -> bool:
        return self.settings.daily is not None or self.settings.monthly is not None

    # --- CreditLimit protocol ------------------------------------------------------------------------

    def reserve(self, n: int = 1) -> None:
        """Record ``n`` credits for this run before the request, or raise if a budget would be crossed."""
        if n <= 0 or not self.active:
            return
        now = self.clock()
        day = day_window(now)[0].date().isoformat()

        def check(rows: Rows) -> None:
            today_used, month_used = self._used(rows, now)
            self._check("daily", self.settings.daily, today_used, n, day_window(now)[1])
            self._check("monthly", self.settings.monthly, month_used, n,
                        billing_period(now, self.settings.billing_cycle_day)[1])

        with self._lock:
            if day != self._pruned_day:
                self._pruned_day = day
                self.prune(now)
            self.store.reserve(self.key_fp, self.run_id, day, n, self._period(now), now.isoformat(), check)
            self._open.append([day, n])

    def settle(self, reserved: int, used: int) -> None:
        """Replace ``reserved`` credits by what the request ``used`` (0 releases them: a refund)."""
        if reserved <= 0 and used <= 0 or not self.active:
            return
        with self._lock:
            day = self._take_open(reserved) or day_window(self.clock())[0].date().isoformat()
            if used != reserved:
                self.store.adjust(self.key_fp, self.run_id, day, used - reserved, self.clock().isoformat())

    def release(self, reserved: int) -> None:
        """Give back a reservation whose request was never sent or cost nothing."""
        self.settle(reserved, 0)

    # --- reading -------------------------------------------------------------------------------------

    def usage(self, now: datetime | None = None) -> tuple[int, int]:
        """``(credits used today, credits used this billing month)`` as the next reservation sees them."""
        now = now or self.clock()
        return self._used(self.store.rows(self.key_fp, self._period(now)), now)

    def _period(self, now: datetime) -> tuple[str, str]:
        start, end = billing_period(now, self.settings.billing_cycle_day)
        return start.date().isoformat(), end.date().isoformat()

    def _used(self, rows: Rows, now: datetime) -> tuple[int, int]:
        first, end = self._period(now)
        today = day_window(now)[0].date().isoformat()
        per_run: dict[tuple[str, str], int] = {k: v for k, v in self.baseline.items() if first <= k[1] < end}
        for key, credits in rows.items():
            per_run[key] = max(per_run.get(key, 0), credits)
        return sum(v for (_, d), v in per_run.items() if d == today), sum(per_run.values())

    def _check(self, kind: str, limit: int | None, used: int, n: int, resets_at: datetime) -> None:
        if limit is not None and used + n > limit:
            raise BudgetExceededError(
                f"{kind} credit budget exhausted: {used} of {limit} credits used "
                f"({'today, UTC' if kind == 'daily' else 'this billing month'}); "
                f"no request sent; resets at {resets_at.isoformat()}",
                limit_name=f"{kind} budget", spent=used, limit=limit,
            )

    def _take_open(self, reserved: int) -> str | None:
        """FIFO: a settle belongs to the oldest open reservation (same day except across midnight)."""
        remaining, day = reserved, None
        while remaining > 0 and self._open:
            head = self._open[0]
            day = day or head[0]
            take = min(remaining, head[1])
            head[1] -= take
            remaining -= take
            if head[1] == 0:
                self._open.popleft()
        return day

    def prune(self, now: datetime | None = None) -> int:
        """Delete rows older than :data:`KEEP_DAYS` (they no longer fall in any budget window).

        Called by :meth:`reserve` on a limit's first reservation and then once per UTC day it
        reserves on (one ``DELETE`` per run and day, not per request), so the table holds at most
        :data:`KEEP_DAYS` days of rows however long the deployment runs."""
        return self.store.prune(((now or self.clock()) - timedelta(days=KEEP_DAYS)).date().isoformat())
