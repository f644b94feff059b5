"""The credit budget as a Dagster resource (sensors, checks, and runs read it through config)."""

from __future__ import annotations

from dagster import ConfigurableResource

from .settings import BudgetSettings


class BudgetResource(ConfigurableResource):
    """Credit budget for Dagster runs, sensors and checks.

    Every field defaults to ``None`` = "use the TIKTOK_CREDIT_* environment variable when the run
    starts" (``EnvVar`` would fail when an optional variable is unset); a value set in run config or
    in ``definitions.py`` wins over the environment.
    """

    daily_budget: int | None = None
    monthly_budget: int | None = None
    cap_per_run: int | None = None
    warn_ratio: float | None = None
    low_balance: int | None = None
    billing_cycle_day: int | None = None

    def get_settings(self) -> BudgetSettings:
        return BudgetSettings.from_env().with_overrides(
            daily=self.daily_budget,
            monthly=self.monthly_budget,
            cap_per_run=self.cap_per_run,
            warn_ratio=self.warn_ratio,
            low_balance=self.low_balance,
            billing_cycle_day=self.billing_cycle_day,
        )
