"""`tiktok-assets materialize --date D [--end-date D2] [--select a,b] [--entities x,y] [--no-dbt]`.

Why through ``execute_in_process`` of the Definitions' own asset job: the CLI must run exactly the
code, resources and partitions the UI runs, and record the run in the same ``DagsterInstance``
(``$DAGSTER_HOME``; ``./.dagster_home`` when unset) so it shows in the UI's history. A date range is
ONE run (single-run backfill tags), so each event asset pages once per entity for the whole range.
Snapshot assets have no partitions (each run captures the current state, filed under today): the
default selection takes them when the range reaches today, in the same run (a full load is one run),
and skips them with a notice when it ends before today, so a backfill of past days spends nothing on
them; ``--select`` one to capture it now anyway. Exit code 1 when any asset failed or any entity failed; 2 for input
refused before anything was sent (a day after today or before the first partition, a name that is
not tracked, a broken tracked file, no API key), 3 when refused for budget.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .. import settings
from ..partitions import ENTITIES_TAG, RANGE_END_TAG, RANGE_START_TAG
from ..catalog import ALL_NAMES, CATALOG
from . import preflight
from .instance import open_instance, prepare_dagster_home



@dataclass
class AssetSummary:
    asset: str
    status: str = "ok"  # ok | entity errors | failed | skipped
    rows: int = 0
    pages: int = 0
    credits: int = 0
    seconds: float = 0.0  # from its family's step start to its materialization
    errors: list[str] = field(default_factory=list)
    step: str | None = None  # the family step that ran it (``tiktok_snapshots`` / ``tiktok_events``)


@dataclass
class MaterializeSummary:
    run_id: str | None
    start: date
    end: date
    assets: list[AssetSummary]
    notices: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(a.status in ("ok", "skipped", "ledger only") for a in self.assets)


def parse_select(value: str | None) -> list[str]:
    if not value:
        return list(ALL_NAMES)
    names = [v.strip().removeprefix("tiktok/") for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in ALL_NAMES]
    if unknown:
        raise ValueError(f"unknown asset(s) {', '.join(unknown)}; choose from {', '.join(ALL_NAMES)}")
    return names


class OverBudgetError(RuntimeError):
    """The pre-flight estimate exceeds what is left of the daily/monthly budget (``--force`` overrides)."""


def check_budget(names: list[str], start: date, end: date, entities: list[str] | None, log: Any = print) -> None:
    """Estimate the run's credits from ledger history and refuse when it exceeds the budget left."""
    from datetime import timedelta

    from ..budget.estimate import preflight
    from ..budget.settings import BudgetSettings
    from ..lake.store import Lake

    lake = Lake(settings.env(settings.TIKTOK_LAKE_URL, settings.DEFAULT_LAKE_URL), settings.env(settings.TIKTOK_S3_ENDPOINT_URL))
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    verdict = preflight(lake, BudgetSettings.from_env(), names, days, entities)
    log(verdict.message())
    if not verdict.ok:
        raise OverBudgetError(f"refusing to start: {verdict.message()}. Use --force to run anyway.")


def materialize(start: date, end: date, select: list[str] | None = None, entities: list[str] | None = None,
                log: Any = print, force: bool = True) -> MaterializeSummary:
    """Run the selected TikTok assets for [start, end] as one run and summarize it."""
    from dagster import AssetKey

    from ..assets.windows import today_utc
    from ..wiring import build_definitions

    preflight.check_days(start, end)
    preflight.check_entities(entities)
    preflight.require_api_key()
    names, notices = (list(select), []) if select else preflight.default_selection(list(ALL_NAMES), start, end, today_utc())
    skipped = [AssetSummary(n, status="skipped") for n in ALL_NAMES if n in (select or ALL_NAMES) and n not in names]
    if not force:
        check_budget(names, start, end, entities, log)
    defs = build_definitions(include_dbt=False)  # lake assets only; dbt runs after, through its runner
    job = defs.resolve_implicit_global_asset_job_def()
    tags = {RANGE_START_TAG: start.isoformat(), RANGE_END_TAG: end.isoformat()}
    if entities:
        tags[ENTITIES_TAG] = ",".join(entities)
    instance = open_instance()
    log(f"materializing {', '.join(names)} for {start}..{end}" + (f" (entities: {', '.join(entities)})" if entities else ""))
    t0 = time.perf_counter()
    result = job.execute_in_process(
        instance=instance, asset_selection=[AssetKey(["tiktok", n]) for n in names], tags=tags, raise_on_error=False,
        run_config=settings.console_log_run_config(),
    )
    log(f"run {result.run_id} finished in {time.perf_counter() - t0:.1f}s")
    assets = summarize(result, instance, names)
    apply_ledger_spend(assets, result.run_id)
    return MaterializeSummary(result.run_id, start, end, assets + skipped, notices)


def apply_ledger_spend(assets: list[AssetSummary], run_id: str) -> None:
    """Set each asset's pages and credits to what the ledger holds for the run (see :mod:`.spend`);
    requests no asset claimed get a row of their own, so the total is the ledger's total."""
    from .spend import Spend, run_spend

    spent = run_spend(run_id)
    for a in assets:
        spend = spent.pop(a.asset, Spend())
        a.pages, a.credits = spend.pages, spend.credits
    for asset, spend in spent.items():
        if spend.credits or spend.pages:
            assets.append(AssetSummary(asset or "(no asset)", status="ledger only", pages=spend.pages, credits=spend.credits))


def summarize(result: Any, instance: Any, names: list[str]) -> list[AssetSummary]:
    """One summary per asset. A step runs a whole family (``assets/families.py``), so step events are
    mapped to the assets of that step, and an asset's seconds are from its step's start to its own
    materialization (the assets of a family run concurrently)."""
    from dagster import DagsterEventType

    from ..assets import ALL_ASSETS

    by_name = {n: AssetSummary(n, status="not run") for n in names}
    step_assets = {a.node_def.name: [k.path[-1] for k in a.keys if k.path[-1] in by_name] for a in ALL_ASSETS}
    for step, members in step_assets.items():
        for n in members:
            by_name[n].step = step
    # one read of the run's log for both ends (its step stats would be a second, a tenth of a second more)
    entries = instance.all_logs(result.run_id, of_type={DagsterEventType.STEP_START, DagsterEventType.ASSET_MATERIALIZATION})
    started: dict[str, float] = {}
    for entry in entries:  # in the log's order: a retried step counts from its first start
        if entry.dagster_event_type == DagsterEventType.STEP_START and entry.step_key:
            started.setdefault(entry.step_key, entry.timestamp)
    for entry in entries:
        if entry.dagster_event_type != DagsterEventType.ASSET_MATERIALIZATION:
            continue
        summary = by_name.get(entry.dagster_event.asset_key.path[-1])
        if summary is not None and summary.step in started:
            summary.seconds = max(summary.seconds, round(entry.timestamp - started[summary.step], 2))
    for ev in result.get_asset_materialization_events():
        mat = ev.materialization
        summary = by_name.get(mat.asset_key.path[-1])
        if summary is None:
            continue
        # one materialization per partition of the range, each describing its own day: the rows this
        # run captured add up (``dagster/row_count`` is what the day holds, earlier captures included)
        md = mat.metadata
        summary.status = "ok"
        summary.rows += int(md["rows_captured"].value) if "rows_captured" in md else 0
    for ev in result.get_asset_check_evaluations():
        summary = by_name.get(ev.asset_key.path[-1])
        if summary is not None and not ev.passed:
            summary.status = "entity errors"
            summary.errors.append(ev.description or "entity check failed")
    for ev in result.get_step_failure_events():
        data = ev.step_failure_data
        message = (data.user_failure_data.description if data.user_failure_data and data.user_failure_data.description
                   else data.error.message.strip() if data.error else "step failed")
        unfinished = [n for n in step_assets.get(ev.step_key, []) if by_name[n].status == "not run"]
        for n in unfinished:  # the family's other assets finished and keep their own status
            if any(d in unfinished for d in CATALOG[n].deps):  # its upstream failed: it never started
                by_name[n].status = "skipped (upstream failed)"
            else:
                by_name[n].status = "failed"
                by_name[n].errors.append(message)
    for ev in result.get_step_skipped_events():
        for n in step_assets.get(ev.step_key, []):
            by_name[n].status = "skipped (upstream failed)"
    return list(by_name.values())


def format_summary(summary: MaterializeSummary) -> str:
    header = f"{'asset':<16} {'status':<14} {'rows':>7} {'pages':>6} {'credits':>7} {'seconds':>8}  errors"
    lines = [header, "-" * len(header)]
    for a in summary.assets:
        err = " | ".join(a.errors)
        lines.append(f"{a.asset:<16} {a.status:<14} {a.rows:>7} {a.pages:>6} {a.credits:>7} {a.seconds:>8.2f}  {err[:300]}")
    total = [a for a in summary.assets]
    lines.append("-" * len(header))
    lines.append(f"{'total':<16} {'':<14} {sum(a.rows for a in total):>7} {sum(a.pages for a in total):>6} "
                 f"{sum(a.credits for a in total):>7} {wall_seconds(total):>8.2f}")
    return "\n".join(lines)


def wall_seconds(assets: list[AssetSummary]) -> float:
    """The run's time: the assets of a family overlap, so each step counts once (its last asset)."""
    per_step: dict[str | None, float] = {}
    for a in assets:
        if a.step is None:
            per_step[a.asset] = a.seconds
        else:
            per_step[a.step] = max(per_step.get(a.step, 0.0), a.seconds)
    return sum(per_step.values())


def run_dbt(log: Any = print) -> bool:
    """Build the dbt marts over the lake just written (same env settings as the Dagster resources)."""

    try:
        from ..dbt.assets import run_dbt_build
    except Exception as exc:  # noqa: BLE001 - dbt missing/broken must not hide the lake run's result
        log(f"dbt step skipped: tiktok_assets.dbt is not available ({type(exc).__name__}: {exc})")
        return False
    log("running dbt build ...")
    summary = run_dbt_build(
        settings.env(settings.TIKTOK_LAKE_URL, settings.DEFAULT_LAKE_URL),
        settings.env(settings.TIKTOK_WAREHOUSE, settings.DEFAULT_WAREHOUSE),
        settings.env(settings.TIKTOK_S3_ENDPOINT_URL),
    )
    log(summary.describe())
    for failure in summary.failed:
        log(f"  dbt: {failure}")
    return summary.success


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("materialize", help="Materialize TikTok assets for a date or date range (one run)")
    p.add_argument("--date", required=True, type=preflight.iso_date, help="YYYY-MM-DD (UTC)")
    p.add_argument("--end-date", type=preflight.iso_date, default=None, help="YYYY-MM-DD, inclusive (default: --date)")
    p.add_argument("--select", default=None, help=f"comma-separated assets (default all): {','.join(ALL_NAMES)}")
    p.add_argument("--entities", default=None, help="comma-separated tracked names to restrict the run to")
    p.add_argument("--no-dbt", action="store_true", help="skip the dbt build after the run")
    p.add_argument("--force", action="store_true", help="run even when the credit estimate exceeds the budget left")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        start, end = args.date, args.end_date or args.date
        preflight.check_days(start, end)  # the cheap checks first: no instance set-up for a typo
        settings.log_level()  # a typo there would fail the run's logger set-up after the run exists
        select = parse_select(args.select) if args.select else None
        entities = preflight.parse_entities(args.entities)
        preflight.check_entities(entities)
        preflight.require_api_key()
        preflight.check_state()
        preflight.check_lake()
        notice = prepare_dagster_home()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if notice:
        print(notice)
    try:
        summary = materialize(start, end, select, entities, force=args.force)
    except OverBudgetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 3
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for n in summary.notices:
        print(f"notice: {n}")
    print(format_summary(summary))
    ok = summary.ok
    hard_failure = any(a.status in ("failed", "not run") or a.status.startswith("skipped (") for a in summary.assets)
    if not args.no_dbt and not hard_failure:  # entity errors still leave the others' data worth modelling
        ok = run_dbt() and ok
    return 0 if ok else 1
