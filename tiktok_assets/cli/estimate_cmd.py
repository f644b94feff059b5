"""`tiktok-assets estimate --date D [--end-date D2] [--select a,b] [--entities x,y]`.

Prints the credits each selected asset would spend for the range (from the ledger's page history,
or documented defaults, see :mod:`tiktok_assets.budget.estimate`) and how that compares with what
the daily and billing-month budgets have left. Exit code 0 when it fits, 3 when it does not, so a
script can refuse to materialize; 2 for input `materialize` would refuse too (same checks, same
message: see :mod:`.preflight`). Spends no credits and needs no API key.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta

from . import preflight as checks

EXIT_OVER_BUDGET = 3


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("estimate", help="estimate the credits a materialization would spend",
                              description=__doc__.splitlines()[0])
    p.add_argument("--date", required=True, type=checks.iso_date, help="first UTC day (YYYY-MM-DD)")
    p.add_argument("--end-date", type=checks.iso_date, default=None, help="last UTC day, inclusive (default: --date)")
    p.add_argument("--select", default=None, help="comma-separated assets (default: all API assets)")
    p.add_argument("--entities", default=None, help="comma-separated tracked names to restrict to (default: all tracked)")
    p.set_defaults(func=run)


def _select(value: str | None, start: date, end: date, today: date) -> tuple[list[str], list[str]]:
    """Selected asset names plus notices; the default selection is ``materialize``'s
    (:func:`.preflight.default_selection`)."""
    from ..budget.estimate import DEFAULTS

    if value:
        names = [v.strip().removeprefix("tiktok/") for v in value.split(",") if v.strip()]
        unknown = [n for n in names if n not in DEFAULTS]
        if unknown:
            raise ValueError(f"unknown asset(s) {', '.join(unknown)}; choose from {', '.join(DEFAULTS)}")
        return names, []
    return checks.default_selection(list(DEFAULTS), start, end, today)


def run(args: argparse.Namespace) -> int:
    from .. import settings
    from ..budget.estimate import preflight
    from ..budget.settings import BudgetSettings, utc_now
    from ..lake.delta import LakeUnreachableError
    from ..lake.store import Lake

    start, end = args.date, args.end_date or args.date
    now = utc_now()
    try:
        checks.check_days(start, end)
        names, notices = _select(args.select, start, end, now.date())
        entities = checks.parse_entities(args.entities)
        checks.check_entities(entities)
        lake = Lake(settings.env(settings.TIKTOK_LAKE_URL, settings.DEFAULT_LAKE_URL), settings.env(settings.TIKTOK_S3_ENDPOINT_URL))
        dates = [start + timedelta(days=i) for i in range((end - start).days + 1)]
        result = preflight(lake, BudgetSettings.from_env(), names, dates, entities, now)
    except (ValueError, LakeUnreachableError) as exc:  # the estimate reads the lake's history
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for notice in notices:
        print(f"note: {notice}")
    print(f"credit estimate for {start}..{end}" + (f" (entities: {', '.join(entities)})" if entities else ""))
    width = max(len(n) for n in result.estimate) if result.estimate else 5
    for asset, credits in result.estimate.items():
        print(f"  {asset:<{width}}  {credits:>8}")
    print(f"  {'total':<{width}}  {result.total:>8}")
    print(result.message())
    return 0 if result.ok else EXIT_OVER_BUDGET
