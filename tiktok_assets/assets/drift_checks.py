"""``schema_drift`` asset check on every API table: fields the API added that no typed column reads.

Why a WARN check: the lake keeps the new field in ``raw`` (nothing is lost), but no mart sees it
until a typed column and the data dictionary are added; the check says which field, in how many
rows of the latest capture, and where to find an example (``tiktok_assets/lake/drift.py``).
It is evaluated with the family's other table checks, in one step (``assets/table_checks.py``).
"""

from dagster import AssetCheckResult, AssetCheckSeverity, AssetCheckSpec, AssetKey, MetadataValue

from ..lake.drift import drift_report
from ..lake.store import Lake

DRIFT_CHECK = "schema_drift"


def drift_spec(table: str) -> AssetCheckSpec:
    return AssetCheckSpec(DRIFT_CHECK, asset=AssetKey(["tiktok", table]), blocking=False,
                          description=f"Fields in {table}.raw that no typed column reads and that earlier captures did not have.")


def drift_result(lake: Lake, table: str) -> AssetCheckResult:
    report = drift_report(lake, table)
    return AssetCheckResult(
        asset_key=AssetKey(["tiktok", table]), check_name=DRIFT_CHECK,
        passed=not report.drifted, severity=AssetCheckSeverity.WARN, description=report.describe(),
        metadata={"new_fields": MetadataValue.json(report.new_fields),
                  "examples": MetadataValue.json(report.examples),
                  "capture_day": MetadataValue.text(str(report.capture_day)),
                  "baseline_capture_days": MetadataValue.int(len(report.baseline_days))})
