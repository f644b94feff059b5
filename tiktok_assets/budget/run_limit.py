"""Wiring the shared budget into a run: one :class:`SharedBudgetLimit` on the run's client.

Why on the client: ``ScavioResource`` hands every asset of a run the *same* client, so the limit
belongs with it. If each asset step added its own limit, the client would reserve every credit twice
(or more) and stop the run early; :func:`attach_budget` adds the limit once per client (a second
asset of the run finds it there), and it goes away with the client when the run ends.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from ..state.engine import resolve_url
from .reservations import SharedBudgetLimit, key_fingerprint
from .settings import BudgetSettings, utc_now
from .usage import ledger_baseline


def attach_budget(client: Any, lake: Any, budget: BudgetSettings, api_key: str, run_id: str,
                  now: datetime | None = None, state_dir: str | Path | None = None) -> SharedBudgetLimit | None:
    """Make ``client`` reserve every credit against the shared daily/monthly budget; returns the limit.

    Nothing to add when no daily or monthly budget is configured (the per-run cap is the client's
    own ``RunCap``). The ledger baseline is read once, when the run's first asset asks.
    """
    if budget.daily is None and budget.monthly is None:
        return None
    for limit in client.guard.limits:
        if isinstance(limit, SharedBudgetLimit) and limit.run_id == run_id:
            return limit
    baseline = ledger_baseline(lake, now or utc_now(), budget.billing_cycle_day)
    limit = SharedBudgetLimit(budget, key_fp=key_fingerprint(api_key), run_id=run_id, baseline=baseline,
                              state_url=resolve_url(None, state_dir))
    client.add_limit(limit)
    return limit
