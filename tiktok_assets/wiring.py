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
dbt is optional at load: if its module or manifest is missing, the lake assets still load and a
warning says why.
"""

from __future__ import annotations

import logging
from typing import Any

from dagster import Definitions, EnvVar, in_process_executor

from . import settings
from .assets import ALL_ASSETS
from .assets.resources import LakeResource, ScavioResource
from .scavio.envconfig import optional_settings_from_env
from .budget.checks import credit_band_checks, entity_freshness_checks
from .budget.resource import BudgetResource
from .budget.sensors import credit_budget_sensor, credit_budget_spec, low_balance_sensor
from .schedules import build_dbt_after_daily_sensor, tiktok_daily_job, tiktok_daily_schedule

log = logging.getLogger(__name__)


def build_resources() -> dict[str, Any]:
    """Resources from the environment as it is now (call, don't import, to re-read it)."""
    # base_url and the optional settings as set now; the key stays an EnvVar (resolved per run, never shown)
    optional = optional_settings_from_env()
    return {
        "scavio": ScavioResource(api_key=EnvVar(settings.SCAVIO_API_KEY), **optional),
        "lake": LakeResource(
            lake_url=settings.env(settings.TIKTOK_LAKE_URL, settings.DEFAULT_LAKE_URL),
            s3_endpoint_url=settings.env(settings.TIKTOK_S3_ENDPOINT_URL),
        ),
        "budget": BudgetResource(),
    }


def load_dbt() -> tuple[list[Any], dict[str, Any], Any]:
    """(dbt asset defs, dbt resources, dbt job) or empty when dbt cannot load (warned, not fatal)."""
    try:
        from dagster import define_asset_job

        from .dbt.assets import dbt_resource, tiktok_dbt_assets  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - any failure (missing module, missing manifest) degrades to no dbt
        log.warning("dbt assets not loaded (%s: %s); the lake assets load without them. "
                    "Run `dbt parse` / the dbt prepare step to build the manifest.", type(exc).__name__, exc)
        return [], {}, None
    job = define_asset_job("tiktok_dbt_job", selection=[tiktok_dbt_assets], description="dbt build of the marts.")
    return [tiktok_dbt_assets], {"dbt": dbt_resource()}, job


def build_definitions(include_dbt: bool = True) -> Definitions:
    """The Definitions; ``include_dbt=False`` leaves out the dbt assets, job and sensor."""
    dbt_assets, dbt_resources, dbt_job = load_dbt() if include_dbt else ([], {}, None)
    jobs: list[Any] = [tiktok_daily_job]
    sensors: list[Any] = [credit_budget_sensor, low_balance_sensor]
    if dbt_job is not None:
        jobs.append(dbt_job)
        sensors.append(build_dbt_after_daily_sensor(dbt_job))
    return Definitions(
        assets=[*ALL_ASSETS, credit_budget_spec, *dbt_assets],
        asset_checks=[*credit_band_checks(), *entity_freshness_checks()],
        resources={**build_resources(), **dbt_resources},
        jobs=jobs,
        schedules=[tiktok_daily_schedule],
        sensors=sensors,
        executor=in_process_executor,
    )

