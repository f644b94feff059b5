"""How the code location is assembled: resources from the environment, assets, checks, schedule, sensors.

Why separate from ``definitions.py``: importing this module builds nothing, so the CLI can build the
lake-only Definitions for a run (``include_dbt=False``; dbt then runs through its runner) without
loading dbt-core, which costs ~95 MB and ~1.5 s per process.

Why ``in_process_executor``: one run = one process = one ``ScavioResource`` instance, hence one
client whose ledger, sec_uid/hashtag-id caches and budget guard serve every asset of the run;
parallelism comes from ``map_concurrent`` across entities (bounded by ``max_concurrency`` under the
key's shared pace), not from step processes that would each pay their own resolution calls.
Why settings are read in :func:`build_resources`: nothing reads the environment at import of other
modules; the API key stays an ``EnvVar`` (resolved when a run starts, never stored or shown).
dbt is not optional at load: when it cannot load, the code location fails with a message naming the
fix (the CLI's lake run builds ``include_dbt=False`` on purpose and runs dbt afterwards).
"""

from __future__ import annotations

from typing import Any

from dagster import Definitions, EnvVar, define_asset_job, in_process_executor

from . import settings
from .assets import ALL_ASSETS
from .assets.drift_checks import schema_drift_checks
from .assets.maintenance import lake_maintenance, lake_maintenance_schedule
from .assets.record_tables import record_table_specs
from .assets.resources import LakeResource, ScavioResource
from .scavio.envconfig import optional_settings_from_env
from .budget.checks import credit_band_checks, entity_freshness_checks
from .budget.resource import BudgetResource
from .budget.settings import BudgetSettings
from .budget.sensors import credit_budget, credit_budget_sensor, low_balance_sensor
from .schedules import build_dbt_automation_sensor, tiktok_daily_job, tiktok_daily_schedule



def build_resources() -> dict[str, Any]:
    """Resources from the environment as it is now (call, don't import, to re-read it)."""
    # base_url and the optional settings as set now; the key stays an EnvVar (resolved per run, never shown)
    optional = optional_settings_from_env()
    return {
        "scavio": ScavioResource(api_key=EnvVar(settings.SCAVIO_API_KEY), **optional),
        "lake": LakeResource(
            lake_url=settings.lake_url(),
            s3_endpoint_url=settings.env(settings.TIKTOK_S3_ENDPOINT_URL),
        ),
        # the budget as set now, as values: the UI's resource page and launchpad show what runs enforce
        "budget": BudgetResource.from_settings(BudgetSettings.from_env()),
    }


class DbtLoadError(RuntimeError):
    """dbt's models could not be turned into assets; the code location must fail, not shrink."""


def load_dbt() -> tuple[list[Any], dict[str, Any], Any]:
    """(dbt asset defs, dbt resources, dbt job); raises :class:`DbtLoadError` when dbt cannot load.

    Why raise: a code location that quietly loads without its dbt assets looks healthy in the UI
    ("Loaded") while the marts, their checks and their automation are missing. An exception here
    shows as a code location error with this message, which names the fix.
    """
    try:
        from .dbt.assets import dbt_resource, tiktok_dbt_assets
    except Exception as exc:  # noqa: BLE001 - re-raised with the fix named
        raise DbtLoadError(
            f"the dbt models could not be loaded ({type(exc).__name__}: {exc}). Build the manifest with "
            "`.venv/bin/python -m tiktok_assets.dbt.prepare` (or `make install`) and reload."
        ) from exc
    job = define_asset_job("tiktok_dbt_job", selection=[tiktok_dbt_assets], description="dbt build of the marts.")
    return [tiktok_dbt_assets], {"dbt": dbt_resource()}, job


def build_definitions(include_dbt: bool = True) -> Definitions:
    """The Definitions; ``include_dbt=False`` leaves out the dbt assets, job and sensor."""
    dbt_assets, dbt_resources, dbt_job = load_dbt() if include_dbt else ([], {}, None)
    jobs: list[Any] = [tiktok_daily_job]
    sensors: list[Any] = [credit_budget_sensor, low_balance_sensor]
    if dbt_job is not None:
        jobs.append(dbt_job)
        sensors.append(build_dbt_automation_sensor(dbt_assets[0]))
    return Definitions(
        assets=[*ALL_ASSETS, lake_maintenance, credit_budget, *record_table_specs, *dbt_assets],
        asset_checks=[*credit_band_checks(), *entity_freshness_checks(), *schema_drift_checks()],
        resources={**build_resources(), **dbt_resources},
        jobs=jobs,
        schedules=[tiktok_daily_schedule, lake_maintenance_schedule],
        sensors=sensors,
        executor=in_process_executor,
    )

