"""The credit budget as a Dagster resource (sensors, checks, and runs read it through config)."""

from __future__ import annotations

from dagster import ConfigurableResource

from .settings import BudgetSettings


class BudgetResource(ConfigurableResource):
    """Credit budget for Dagster runs, sensors and checks: one configuration flow.

    The Definitions build it from the TIKTOK_CREDIT_* variables as set when the code location loads
    (:meth:`from_settings`), so the UI's resource page and the launchpad show the values in force.
    Every asset run, sensor and check reads its limits from this resource (``get_settings``), so a
    value changed in the launchpad or run config is the one enforced. A field left ``None`` falls
    back to its variable as read when the run starts.
    """

    daily_budget: int | None = None
    monthly_budget: int | None = None
    cap_per_run: int | None = None
    warn_ratio: float | None = None
    low_balance: int | None = None
    billing_cycle_day: int | None = None

    @classmethod
    def from_settings(cls, settings: BudgetSettings) -> BudgetResource:
        """The resource showing ``settings`` (unset budgets stay ``None``: no limit of that kind)."""
        return cls(daily_budget=settings.daily, monthly_budget=settings.monthly, cap_per_run=settings.cap_per_run,
                   warn_ratio=settings.warn_ratio, low_balance=settings.low_balance,
                   billing_cycle_day=settings.billing_cycle_day)

    def get_settings(self) -> BudgetSettings:
        return BudgetSettings.from_env().with_overrides(
            daily=self.daily_budget,
            monthly=self.monthly_budget,
            cap_per_run=self.cap_per_run,
            warn_ratio=self.warn_ratio,
            low_balance=self.low_balance,
            billing_cycle_day=self.billing_cycle_day,
        )
