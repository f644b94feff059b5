"""Wiring the shared budget into a run: one :class:`SharedBudgetLimit` per (run, key, state URL).

Why cached per process: ``ScavioResource`` hands every asset of a run the *same* client, and
``get_client(extra_limits=...)`` adds limits by identity. If each asset step built its own limit,
the client would reserve every credit twice (or more) and stop the run early; this cache returns
the same instance for the same run, so each credit is reserved exactly once.
"""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from ..scavio.guard import CreditLimit
from ..state.engine import resolve_url
from .reservations import SharedBudgetLimit, key_fingerprint
from .settings import BudgetSettings, utc_now
from .usage import ledger_baseline

_CACHE: dict[tuple[str, str, str], SharedBudgetLimit] = {}
_LOCK = threading.Lock()
_MAX_CACHED = 64


def run_budget_limits(lake: Any, budget: BudgetSettings, api_key: str, run_id: str,
                      now: datetime | None = None, state_dir: str | Path | None = None) -> list[CreditLimit]:
    """The extra limits for ``ScavioResource.get_client(run_id, extra_limits=...)``.

    Empty when no daily or monthly budget is configured (the per-run cap is the client's own
    ``RunCap``). The ledger baseline is read once, when the run's first asset asks.
    """
    if budget.daily is None and budget.monthly is None:
        return []
    url = resolve_url(None, state_dir)
    cache_key = (run_id, key_fingerprint(api_key), url)
    with _LOCK:
        limit = _CACHE.get(cache_key)
        if limit is None:
            baseline = ledger_baseline(lake, now or utc_now(), budget.billing_cycle_day)
            limit = SharedBudgetLimit(budget, key_fp=cache_key[1], run_id=run_id, baseline=baseline, state_url=url)
            if len(_CACHE) >= _MAX_CACHED:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[cache_key] = limit
        return [limit]
