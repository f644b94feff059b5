"""The eleven API assets (with their ``entities_ok`` checks), the checks over them, the daily job and schedule."""

from dagster import Definitions, definitions

from tiktok_assets.assets import ALL_ASSETS
from tiktok_assets.assets.drift_checks import schema_drift_checks
from tiktok_assets.budget.checks import credit_band_checks, entity_freshness_checks
from tiktok_assets.schedules import tiktok_daily_job, tiktok_daily_schedule


@definitions
def tiktok_api() -> Definitions:
    return Definitions(
        assets=ALL_ASSETS,
        asset_checks=[*credit_band_checks(), *entity_freshness_checks(), *schema_drift_checks()],
        jobs=[tiktok_daily_job],
        schedules=[tiktok_daily_schedule],
    )
