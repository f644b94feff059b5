"""``schema_drift`` asset check on every API table: fields the API added that no typed column reads.

Why a WARN check: the lake keeps the new field in ``raw`` (nothing is lost), but no mart sees it
until a typed column and the data dictionary are added; the check says which field, in how many
rows of the latest capture, and where to find an example (``tiktok_assets/lake/drift.py``).
"""

from dagster import AssetCheckExecutionContext, AssetCheckResult, AssetCheckSeverity, AssetChecksDefinition, AssetKey, MetadataValue, asset_check

from ..lake.drift import drift_report
from ..lake.schemas import API_TABLES
from ..lake.store import LakeResource

DRIFT_CHECK = "schema_drift"


def _drift_check(table: str) -> AssetChecksDefinition:
    @asset_check(asset=AssetKey(["tiktok", table]), name=DRIFT_CHECK, blocking=False,
                 description=f"Fields in {table}.raw that no typed column reads and that earlier captures did not have.")
    def _check(context: AssetCheckExecutionContext, lake: LakeResource) -> AssetCheckResult:
        report = drift_report(lake.get_lake(), table)
        return AssetCheckResult(
            passed=not report.drifted, severity=AssetCheckSeverity.WARN, description=report.describe(),
            metadata={"new_fields": MetadataValue.json(report.new_fields),
                      "examples": MetadataValue.json(report.examples),
                      "capture_day": MetadataValue.text(str(report.capture_day)),
                      "baseline_capture_days": MetadataValue.int(len(report.baseline_days))})

    return _check


def schema_drift_checks() -> list[AssetChecksDefinition]:
    return [_drift_check(t) for t in API_TABLES]
