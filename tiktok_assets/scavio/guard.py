"""Credit limits checked before a request is sent: reserve first, settle with the real cost after.

Why reservations and not "check, then send": with several threads (or processes) a check-then-act
guard lets N concurrent requests all see "one credit left" and spend N. ``reserve(n)`` counts the
credit as spent under a lock *before* the request goes out and refuses with
:class:`BudgetExceededError` if it would cross the limit; ``settle(reserved, used)`` then replaces
the reservation by what the response cost (0 for a 429/5xx/4xx or a transport failure, which refunds
it). ``RunCap`` is the per-run cap; the budget package adds shared daily/monthly limits with the same
protocol, and :class:`CreditGuard` applies a list of them all-or-nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

from . import validation
from .errors import BudgetExceededError


@runtime_checkable
class CreditLimit(Protocol):
    name: str

    def reserve(self, n: int = 1) -> None:
        """Count ``n`` credits as spent now, or raise BudgetExceededError (then nothing was counted)."""

    def settle(self, reserved: int, used: int) -> None:
        """Replace an earlier reservation of ``reserved`` by the ``used`` credits actually charged."""


class RunCap:
    """At most ``cap`` credits for one run (``None`` = unlimited, but still counted)."""

    name = "run cap"

    def __init__(self, cap: int | None) -> None:
        self.cap = validation.credit_cap(cap)
        self._committed = 0  # settled credits + open reservations
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"RunCap(cap={self.cap}, committed={self._committed})"

    @property
    def committed(self) -> int:
        return self._committed

    def tighten(self, cap: int | None) -> None:
        """Lower the cap to ``cap`` (the budget resource's per-run cap) if that is stricter."""
        if cap is None:
            return
        with self._lock:
            self.cap = cap if self.cap is None else min(self.cap, cap)

    def reserve(self, n: int = 1) -> None:
        with self._lock:
            if self.cap is not None and self._committed + n > self.cap:
                raise BudgetExceededError(
                    f"{self.name} reached: {self._committed} of {self.cap} credits spent or in flight in this run "
                    f"(TIKTOK_CREDIT_CAP_PER_RUN / credit_cap_per_run); no request sent",
                    limit_name=self.name, spent=self._committed, limit=self.cap,
                )
            self._committed += n

    def settle(self, reserved: int, used: int) -> None:
        with self._lock:
            self._committed = max(0, self._committed + used - reserved)


class CreditGuard:
    """Applies several limits as one: a reservation is taken from all of them or from none."""

    def __init__(self, limits: Iterable[CreditLimit]) -> None:
        self._limits: list[CreditLimit] = list(limits)
        self._lock = threading.Lock()

    @property
    def limits(self) -> Sequence[CreditLimit]:
        return tuple(self._limits)

    def add(self, limit: CreditLimit) -> None:
        """Add a limit once (identity); for limits that only exist after the client was built."""
        with self._lock:
            if all(existing is not limit for existing in self._limits):
                self._limits.append(limit)

    def reserve(self, n: int = 1) -> None:
        taken: list[CreditLimit] = []
        try:
            for limit in self.limits:
                limit.reserve(n)
                taken.append(limit)
        except BaseException:
            for limit in reversed(taken):
                limit.settle(n, 0)
            raise

    def settle(self, reserved: int, used: int) -> None:
        for limit in self.limits:
            limit.settle(reserved, used)
