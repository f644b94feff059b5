"""Build the marts as Dagster assets from outside the UI (``make demo``, ``tiktok-assets materialize``).

Why through Dagster rather than a bare ``dbt build``: the UI is where users look. A build that runs
as the ``tiktok_dbt_job`` of the same Definitions records a materialization per model and an
evaluation per dbt test (asset check) in the instance, so after ``make demo`` the UI shows the
marts materialized with their checks instead of "Never materialized".
"""

from __future__ import annotations

import time
from typing import Any

from dagster import AssetCheckSeverity, DagsterInstance

from tiktok_assets import settings
from tiktok_assets.dbt.runner import DbtBuildSummary

DBT_JOB = "tiktok_dbt_job"


def materialize_dbt(instance: DagsterInstance | None = None, tags: dict[str, str] | None = None) -> DbtBuildSummary:
    """Run the dbt job in process in ``instance`` (default: ``DAGSTER_HOME``'s); summarize what dbt did."""
    from tiktok_assets.wiring import build_definitions

    started = time.monotonic()
    job = build_definitions(include_dbt=True).resolve_job_def(DBT_JOB)
    result = job.execute_in_process(instance=instance or DagsterInstance.get(), raise_on_error=False, tags=tags,
                                    run_config=settings.console_log_run_config())
    return summarize(result, time.monotonic() - started)


def summarize(result: Any, seconds: float) -> DbtBuildSummary:
    """Models materialized, tests (checks) passed/warned/failed, and the step error if the build failed."""
    models = len(result.get_asset_materialization_events())
    passed = warned = 0
    failed: list[str] = []
    for event in result.get_asset_check_evaluations():
        if event.passed:
            passed += 1
        elif event.severity == AssetCheckSeverity.WARN:
            warned += 1
        else:
            failed.append(f"{event.asset_check_key.name} on {event.asset_key.to_user_string()}: failed")
    if not result.success:
        for step_event in result.all_events:
            if step_event.is_step_failure and step_event.step_failure_data and step_event.step_failure_data.error:
                failed.append(step_event.step_failure_data.error.message.strip().splitlines()[0])
        if not failed:
            failed.append("dbt job failed (see the run in the Dagster UI)")
    return DbtBuildSummary(success=result.success and not failed, models_passed=models, tests_passed=passed,
                           tests_warned=warned, failed=tuple(failed), seconds=round(seconds, 3),
                           target_path=None)
