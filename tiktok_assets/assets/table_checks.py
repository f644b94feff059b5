"""The data checks on the API tables, evaluated in their asset's own family step.

The checks: ``schema_drift`` (``drift_checks.py``), ``credits_within_history_band`` and
``entities_fresh`` (``budget/checks.py``), each a WARN on its own table, each keyed
``tiktok/<table>:<check>``, so the UI shows and launches them one by one.

Why in the family step (``check_specs`` of the family's ``multi_asset``, ``decorator_args.py``) and
not in a check step of their own: a step costs a run Dagster's hand-off and events (0.7-0.9 s a step,
measured in the benchmark's phase table, 2026-12-03), and the two check steps ran after the last
request, adding 1.4-1.9 s to every full run. In the family step an asset's checks run in its own
thread once it has committed (``family_runner.py``'s ``after``), while its dependents and the other
assets already send their requests. A check launched alone from the UI still runs alone: the family
step then sends no request and evaluates just the selected checks.
"""

from collections.abc import Iterable, Iterator

from dagster import AssetCheckKey, AssetCheckResult, AssetCheckSpec

from ..budget.checks import (BAND_CHECK, FRESH_CHECK, LedgerWindow, band_result, band_spec, fresh_result, fresh_spec,
                             has_fresh_check)
from ..lake.store import Lake
from .drift_checks import DRIFT_CHECK, drift_result, drift_spec


def table_check_specs(table: str) -> list[AssetCheckSpec]:
    """The table checks of ``table``, in the order they are evaluated."""
    return [band_spec(table), *([fresh_spec(table)] if has_fresh_check(table) else []), drift_spec(table)]


def evaluate_table_checks(lake: Lake, table: str, selected: Iterable[AssetCheckKey], run_id: str,
                          ledger: LedgerWindow) -> Iterator[AssetCheckResult]:
    """The results of the selected table checks of ``table`` (other keys in ``selected`` are skipped).

    The band check reads ``ledger``, the step's window of the ledger: this run's rows of ``table``
    are there already, as an asset flushes its ledger entries when its body ends (``asset_run.py``)."""
    names = {k.name for k in selected if k.asset_key.path[-1] == table}
    for spec in table_check_specs(table):
        if spec.name not in names:
            continue
        if spec.name == BAND_CHECK:
            yield band_result(ledger.rows(), table, run_id)
        elif spec.name == FRESH_CHECK:
            yield fresh_result(lake, table)
        elif spec.name == DRIFT_CHECK:
            yield drift_result(lake, table)
