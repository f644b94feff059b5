"""The credit budget: ``tiktok/credit_budget`` (observed, never materialized) and the sensors that watch it."""

from dagster import Definitions, definitions

from tiktok_assets.budget.sensors import credit_budget, credit_budget_sensor, low_balance_sensor


@definitions
def budget() -> Definitions:
    return Definitions(assets=[credit_budget], sensors=[credit_budget_sensor, low_balance_sensor])
