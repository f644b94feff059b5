"""How the code location is assembled: resources from the environment, assets, checks, schedule, sensors.

Why separate from ``definitions.py``: importing this module builds nothing, so the CLI can build the
lake-only Definitions for a run (``include_dbt=False``; dbt then runs through its runner) without
loading dbt-core, which costs ~95 MB and ~1.5 s per process.

Why settings are read in :func:`build_resources`: nothing reads the environment at import of other
modules; the API key stays an ``EnvVar`` (resolved when a run starts, never stored or shown).
dbt is not optional at load: when it cannot load, the code location fails with a message naming the
fix (the CLI's lake run builds ``include_dbt=False`` on purpose and runs dbt afterwards).
"""

from __future__ import annotations

from typing import Any

from dagster import Definitions, EnvVar, define_asset_job

from . import settings
from .lake.store import LakeResource
from .scavio.resource import ScavioResource
from .scavio.envconfig import optional_settings_from_env
from .budget.resource import BudgetResource
from .budget.settings import BudgetSettings



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


def dbt_definitions() -> Definitions:
    """The dbt concern: models as assets, ``tiktok_dbt_job`` and the automation sensor (raises
    :class:`DbtLoadError` when dbt cannot load)."""
    from .schedules import build_dbt_automation_sensor

    dbt_assets, dbt_resources, dbt_job = load_dbt()
    return Definitions(assets=dbt_assets, resources=dbt_resources, jobs=[dbt_job],
                       sensors=[build_dbt_automation_sensor(dbt_assets[0])])


def build_definitions(include_dbt: bool = True) -> Definitions:
    """The code location's Definitions, merged from the concerns of ``tiktok_assets/defs/``.

    ``include_dbt=False`` leaves the dbt concern out: the CLI's lake run does not load dbt-core
    (~95 MB, ~1.5 s per process) and runs dbt after, through its runner. ``load_from_defs_folder``
    (``definitions.py``, ``dg``) merges the same concern functions, so both see one graph.
    """
    from .defs.budget.definitions import budget
    from .defs.lake.definitions import lake
    from .defs.resources.definitions import resources
    from .defs.tiktok_api.definitions import tiktok_api

    concerns = [resources, tiktok_api, budget, lake]
    return Definitions.merge(*(concern() for concern in concerns), *([dbt_definitions()] if include_dbt else []))
