"""The data checks on the API tables, one ``@multi_asset_check`` step per family.

The checks: ``schema_drift`` (``drift_checks.py``), ``credits_within_history_band`` and
``entities_fresh`` (``budget/checks.py``), each a WARN on its own table, each keyed as before
(``tiktok/<table>:<check>``), so the UI shows and launches them one by one.

Why one step per family rather than one per check: every step costs a run about 35 ms of Dagster
events (start, logs, output, success), and 33 check steps added 1.4 s to the end of every full run,
after the last request. One step evaluates the selected checks of a family (``can_subset``: a check
launched alone from the UI runs alone) and reads the ledger once for all its band checks.
"""

from collections.abc import Iterator, Sequence

from dagster import AssetCheckExecutionContext, AssetCheckKey, AssetCheckResult, AssetChecksDefinition, multi_asset_check

from ..budget.checks import BAND_CHECK, FRESH_CHECK, band_result, band_spec, fresh_result, fresh_spec, has_fresh_check, recent_ledger
from ..catalog import EVENT_NAMES, SNAPSHOT_NAMES
from ..lake.store import LakeResource
from .drift_checks import DRIFT_CHECK, drift_result, drift_spec


def family_checks(family: str, tables: Sequence[str]) -> AssetChecksDefinition:
    """The checks of ``tables`` as one multi_asset_check named ``<family>_checks``."""
    specs = [spec for t in tables for spec in (band_spec(t), *([fresh_spec(t)] if has_fresh_check(t) else []), drift_spec(t))]
    order = {spec.key: i for i, spec in enumerate(specs)}

    @multi_asset_check(name=f"{family}_checks", specs=specs, can_subset=True,
                       description=f"The table checks of {family}: spend band, freshness and schema drift of each table.")
    def _checks(context: AssetCheckExecutionContext, lake: LakeResource) -> Iterator[AssetCheckResult]:
        the_lake = lake.get_lake()
        selected: list[AssetCheckKey] = sorted(context.selected_asset_check_keys, key=order.__getitem__)
        ledger = recent_ledger(the_lake) if any(k.name == BAND_CHECK for k in selected) else None
        for key in selected:
            table = key.asset_key.path[-1]
            if key.name == BAND_CHECK:
                yield band_result(ledger, table, context.op_execution_context.run_id)
            elif key.name == FRESH_CHECK:
                yield fresh_result(the_lake, table)
            elif key.name == DRIFT_CHECK:
                yield drift_result(the_lake, table)

    return _checks


def all_table_checks() -> list[AssetChecksDefinition]:
    return [family_checks("tiktok_snapshots", SNAPSHOT_NAMES), family_checks("tiktok_events", EVENT_NAMES)]
