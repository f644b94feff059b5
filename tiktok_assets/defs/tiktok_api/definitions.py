"""The eleven API assets (with their checks, evaluated in the family steps), the daily job and schedule."""

from dagster import Definitions, definitions

from tiktok_assets.assets import ALL_ASSETS
from tiktok_assets.schedules import tiktok_daily_job, tiktok_daily_schedule


@definitions
def tiktok_api() -> Definitions:
    return Definitions(
        assets=ALL_ASSETS,
        jobs=[tiktok_daily_job],
        schedules=[tiktok_daily_schedule],
    )
