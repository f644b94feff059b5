"""``python -m benchmarks.lake_year [--accounts 200] [--days 365] [--checkpoints 30] [--repeats 3] [--reobserve-days 7] [--no-dbt]``

A year of daily captures written through the product's own lake writer (``Lake.batch``: one commit
per table per day, plus the capture log and the ledger), then measured at 30 days and at the end of
the history (issue 10 §4). ``make bench`` runs it after ``benchmarks.run`` and it rewrites
``BENCHMARKS_LAKE.md``. The issue's scale is ``--accounts 1000``; the default is 200 accounts so that
a year fits in minutes on a 2-core machine (said so in the report).

At each checkpoint:

- files and bytes per table, before and after compaction (``Lake.maintain`` of each table: the closed
  days with several small files compacted, then a vacuum with retention 0, as ``tiktok/lake_maintenance``
  does);
- then ``--repeats`` times "one more day": write the day, run the daily maintenance, ``dbt build``
  (the real project over the real lake, into one warehouse kept across builds, as in production),
  ``tiktok-assets estimate --date <that day>`` over the whole tracked set (the console script's
  ``main``, in process, with the clock on that day), and one tick of the budget sensor
  (``evaluate_credit_budget`` over the shared state's request ledger). Each cost is the median of
  the repeats, because the machine is shared and single timings are noisy;
- then the maintenance once more with a full vacuum (the schedule's Sunday run: a weekly cost).

``--no-dbt`` leaves the dbt builds out (the lake's own costs in seconds instead of minutes; the smoke
test in ``tests/benchmarks`` uses it).

Why the clock is moved (``time_machine``) for ``estimate``: it reads the ledger's last 35 days and the
billing period *before today*; with the real clock, every checkpoint would read the same (empty)
weeks and the comparison would say nothing. Why the billing cycle day is set per day: the sensor and
``estimate`` read the current billing period, and a period that has just started holds a day of rows
while one about to end holds a month; the day measured is always the last day of a full period, the
worst case, so 30 and 365 days compare like with like.

Synthetic volume per account and day (scaled, and said so in the report): 1 post, re-observed on the
7 following days (the posts asset's default ``reobserve_days``: the daily run adds an observation to
each of the last 8 creation days, which is what leaves several small files per closed day, and makes
a day's write about 2.5x slower; ``--reobserve-days 0`` for one creation day per run), 10 comments, 20 followers and
4 requests in the ledger (the lake's ``credit_ledger`` and the shared state's ledger, which keeps
every row here: no pruning, the worst case).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pyarrow as pa

from tiktok_assets import settings as S
from tiktok_assets.lake.schemas import API_TABLES
from tiktok_assets.lake.delta import sql_literal
from tiktok_assets.lake.flatten import flatten
from tiktok_assets.lake.ledger import ledger_rows
from tiktok_assets.lake.store import Lake
from tiktok_assets.scavio.types import LedgerEntry

START = date(2025, 1, 1)
DEFAULT_ACCOUNTS, DEFAULT_DAYS, DEFAULT_REPEATS = 200, 365, 3
COMMENTS, FOLLOWERS, LEDGER_ROWS = 10, 20, 4
REOBSERVE_DAYS = 7  # the posts asset's default re-observation window
TABLES = ("posts", "comments", "followers", "credit_ledger", "_captures")
GOAL = 1.5  # issue 10: each per-day cost at 365 days within 1.5x of its cost at 30 days
CAPTURE_HOUR = 6  # UTC hour of the synthetic daily run
# A tick takes milliseconds, where one preempted time slice on a shared 2-core machine is a 2x outlier:
# each day's tick cost is the median of this many ticks over the same ledger (the day's median then
# goes into the median of the repeats like every other cost).
SENSOR_TICKS = 5
LEDGER_ASSETS = (("posts", "/api/v1/tiktok/user/posts"), ("comments", "/api/v1/tiktok/video/comments"),
                 ("followers", "/api/v1/tiktok/user/followers"), ("profiles", "/api/v1/tiktok/user/info"))
# How long Delta keeps the record of a removed file (a tombstone) in the log's checkpoints; the default is a
# week of wall-clock time, which the benchmark's year never reaches (see ``shorten_tombstone_retention``).
TOMBSTONE_RETENTION = "interval 1 second"
# (key, label) of the per-day costs, in report order
PER_DAY = (("write_s", "write one more day"), ("maintenance_s", "daily maintenance (compact + vacuum)"),
           ("dbt_build_s", "`dbt build` after it"), ("estimate_s", "`tiktok-assets estimate` (whole tracked set)"),
           ("sensor_s", "budget sensor tick (`evaluate_credit_budget`)"),
           ("band_checks_s", f"one run's {len(API_TABLES)} band checks (`credits_within_history_band`, ledger window followed)"))
# shown beside the per-day costs, without the goal: a part of one of them
EXTRA = (("dbt_staging_s", "of which staging models (summed model time: the part that reads the lake)"),)
# shown beside the per-day costs, without the goal: another way to do one of them, measured side by side
COMPARED = {"band_reread_s": ("the same checks re-reading the window for each check (the code before 2026-12-03)",
                              "band_checks_s")}


@dataclass(frozen=True)
class Scale:
    """What one run writes and how often it measures; every report line states it."""

    accounts: int = DEFAULT_ACCOUNTS
    reobserve_days: int = REOBSERVE_DAYS
    repeats: int = DEFAULT_REPEATS
    dbt: bool = True  # False (``--no-dbt``): the lake's own costs only, in seconds instead of minutes


def _account(n: int) -> str:
    return f"acct{n:04d}"


def _capture_time(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, CAPTURE_HOUR, tzinfo=UTC)


# -- the synthetic history -----------------------------------------------------------------------

def day_rows(day: date, accounts: int, reobserve_days: int = REOBSERVE_DAYS,
             ) -> dict[str, list[tuple[str, list[tuple[date, pa.RecordBatch]]]]]:
    """What one daily run captures, flattened by the product's own ``flatten``:
    ``table -> [(entity, [(partition day, rows), ...]), ...]``.

    Posts are partitioned by creation day, so the run adds one observation to each of the last
    ``reobserve_days + 1`` days (the re-observation window): that is what leaves several small files
    per closed day for compaction, as in production.
    """
    at = _capture_time(day)
    out: dict[str, list[tuple[str, list[tuple[date, pa.RecordBatch]]]]] = {"posts": [], "comments": [], "followers": []}
    for n in range(accounts):
        a = _account(n)
        posts = []
        for age in range(reobserve_days + 1):
            created = day - timedelta(days=age)
            if created < START:
                break
            vid = f"7{created.toordinal():07d}{n:05d}"
            post = {"aweme_id": vid, "desc": f"post of {a} on {created}", "create_time": int(_capture_time(created).timestamp()) - 3600,
                    "author": {"unique_id": a},
                    "statistics": {"play_count": 1000 + n + 500 * age, "digg_count": 100 + 10 * age,
                                   "comment_count": COMMENTS, "share_count": 3 + age, "collect_count": 2}}
            posts.append((created, flatten("posts", [post], partition_date=created, tracked_entity=a, captured_at=at)))
        out["posts"].append((a, posts))
        vid = f"7{day.toordinal():07d}{n:05d}"
        ts = int(at.timestamp()) - 3600
        comments = [{"cid": f"{vid}{i:03d}", "aweme_id": vid, "text": f"comment {i}", "create_time": ts + i,
                     "digg_count": i, "reply_comment_total": 0, "user": {"unique_id": f"fan{i}"}} for i in range(COMMENTS)]
        out["comments"].append((a, [(day, flatten("comments", comments, partition_date=day, tracked_entity=a, captured_at=at))]))
        fans = [{"uid": f"{n}{i:03d}", "unique_id": f"fan{n}_{i}", "sec_uid": f"MS4w{n}_{i}", "follower_count": i}
                for i in range(FOLLOWERS)]
        out["followers"].append((a, [(day, flatten("followers", fans, partition_date=day, tracked_entity=a, captured_at=at,
                                                   extra={"owner_sec_uid": f"MS4w{a}", "owner_unique_id": a}))]))
    return out


def ledger_entries(day: date, accounts: int) -> list[LedgerEntry]:
    """The day's requests: ``LEDGER_ROWS`` per account, spread over the assets ``estimate`` prices."""
    at = _capture_time(day).timestamp()
    return [LedgerEntry(endpoint=LEDGER_ASSETS[i % len(LEDGER_ASSETS)][1], params_hash=f"h{n}.{i}", http_status=200,
                        credits_used=1, credits_remaining=10_000_000 - n * LEDGER_ROWS - i, latency_ms=120.0,
                        requested_at=at + n * 0.01 + i, run_id=f"run-{day}", asset=LEDGER_ASSETS[i % len(LEDGER_ASSETS)][0],
                        partition=day.isoformat(), entity=_account(n))
            for n in range(accounts) for i in range(LEDGER_ROWS)]


def write_day(lake: Lake, day: date, accounts: int, reobserve_days: int = REOBSERVE_DAYS) -> float:
    """One day of captures through the product's writer (data, capture log, lake ledger), and the
    same requests in the shared state's ledger (untimed: the client writes those per request, not
    the lake writer). Returns the seconds of the lake writes only."""
    rows = day_rows(day, accounts, reobserve_days)
    entries = ledger_entries(day, accounts)
    ledger = ledger_rows(entries)
    at = _capture_time(day)
    started = time.perf_counter()
    for table, items in rows.items():
        batch = lake.batch(table)
        try:
            for key, parts in items:
                for partition_day, data in parts:
                    batch.put(key, partition_day, data, captured_at=at)
                batch.done(key)
            batch.commit()
        finally:
            batch.close()
    lake.append_ledger(ledger, flush_id=f"run-{day}.bench-00000000")
    seconds = time.perf_counter() - started
    record_requests(entries)
    return seconds


def record_requests(entries: list[LedgerEntry]) -> None:
    """Insert the requests into the shared state's ledger (``TIKTOK_STATE_URL``), already exported,
    as they are once a run has finished; nothing is pruned, so the table holds the whole history."""
    from sqlalchemy import insert

    from tiktok_assets.state.engine import get_engine
    from tiktok_assets.state.tables import ledger

    fields = ("endpoint", "params_hash", "http_status", "credits_used", "credits_remaining", "latency_ms",
              "requested_at", "asset", "partition", "entity", "run_id")
    with get_engine().begin() as conn:
        conn.execute(insert(ledger), [{"key_fp": "bench", "exported": True, "export_batch": "bench",
                                       **{f: getattr(e, f) for f in fields}} for e in entries])


# -- measurements --------------------------------------------------------------------------------

def shorten_tombstone_retention(lake: Lake) -> None:
    """Set ``delta.deletedFileRetentionDuration`` of every table to ``TOMBSTONE_RETENTION``.

    Why: Delta drops a removed file's record (tombstone) from the log at the first checkpoint after
    that duration of wall-clock time, a week by default. A real lake therefore carries a week's
    tombstones (plus those since the last checkpoint) at 30 days and at 365 days alike; the
    benchmark's year passes in minutes, so without this every removal of the history would stay in
    the log, and opening a table and the lite vacuum (which re-issues the deletes of the tombstones
    it finds) would grow with the history for a reason production does not have. The maintenance
    vacuums right after its compaction, so the shorter record leaves no file behind (and the full
    vacuum at each checkpoint would delete one)."""
    for table in TABLES:
        dt = lake.open_table(lake.join(table))
        if dt is not None:
            dt.alter.set_table_properties({"delta.deletedFileRetentionDuration": TOMBSTONE_RETENTION})


def settle(lake: Lake) -> None:
    """The lake as it is a week after the checkpoint's catch-up maintenance: a new log checkpoint of
    each table, once the catch-up's tombstones are older than ``TOMBSTONE_RETENTION``, so the log no
    longer records the files the catch-up removed (one compaction of every day since the last
    checkpoint, which a lake maintained daily never has). Every checkpoint is measured so, from a
    fresh log checkpoint: like with like."""
    time.sleep(1.5)
    for table in TABLES:
        dt = lake.open_table(lake.join(table))
        if dt is not None:
            dt.create_checkpoint()


def footprint(lake: Lake) -> dict[str, tuple[int, int]]:
    """table -> (live files, bytes of the live files)."""
    out = {}
    for table in TABLES:
        dt = lake.open_table(lake.join(table))
        if dt is None:
            continue
        files = list(dt.file_uris())
        out[table] = (len(files), sum(lake.fs.size(f) for f in files))
    return out


def maintain(lake: Lake, before: date, *, full_vacuum: bool = False) -> float:
    """What ``tiktok/lake_maintenance`` does (``Lake.maintain`` of each table: compact the closed days
    before ``before`` that hold several small files, then vacuum; lite by default, as on the
    schedule's weekdays), in seconds. Retention 0 so that the footprint counts only live files."""
    started = time.perf_counter()
    for table in TABLES:
        lake.maintain(table, before=before, retention_hours=0, full_vacuum=full_vacuum)
    return time.perf_counter() - started


def dbt_seconds(lake: Lake, warehouse: Path) -> tuple[float, float]:
    """``dbt build`` as the CLI and the Dagster asset run it (``run_dbt_build``): its seconds, and the
    summed execution time of the staging models (the part that reads the lake), from the build's own
    ``run_results.json``; less noisy than a difference of two builds."""
    from tiktok_assets.dbt.runner import run_dbt_build

    target = Path(tempfile.mkdtemp(prefix="dbt-target-", dir=warehouse.parent))
    try:
        started = time.perf_counter()
        summary = run_dbt_build(lake.url, str(warehouse), target_path=target)
        seconds = time.perf_counter() - started
        if not summary.success:
            raise RuntimeError(f"dbt build failed: {summary.describe()}")
        results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
        staging = sum(float(r.get("execution_time") or 0.0) for r in results
                      if r.get("unique_id", "").split(".")[-1].startswith("stg_") and r["unique_id"].startswith("model."))
    finally:
        shutil.rmtree(target, ignore_errors=True)
    return seconds, staging


def full_period_cycle_day(today: date) -> int:
    """The billing cycle day that makes ``today`` the last day of its billing period, so the period
    read holds a full month of requests (the worst case), wherever the history ends."""
    return (today + timedelta(days=1)).day


@contextlib.contextmanager
def budget_env(today: date, accounts: int) -> Iterator[None]:
    """Budgets that the history stays under (level ``ok``), and a full billing period ending today."""
    daily = accounts * LEDGER_ROWS * 10
    values = {S.TIKTOK_CREDIT_BUDGET_DAILY: str(daily), S.TIKTOK_CREDIT_BUDGET_MONTHLY: str(daily * 31),
              S.TIKTOK_BILLING_CYCLE_DAY: str(full_period_cycle_day(today))}
    with mock.patch.dict(os.environ, values):  # restored afterwards, as the stdlib already does
        yield


def estimate_seconds(today: date, accounts: int) -> float:
    """``tiktok-assets estimate --date <today>`` (every asset, every tracked entity) with the clock at
    noon of ``today``: the console script's ``main`` in this process (the interpreter's start and
    imports are not a cost of the history and are left out)."""
    import time_machine

    from tiktok_assets.cli.main import main as cli

    out = io.StringIO()
    with budget_env(today, accounts), time_machine.travel(_capture_time(today) + timedelta(hours=6), tick=True):
        started = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = cli(["estimate", "--date", today.isoformat()])
        seconds = time.perf_counter() - started
    if code != 0:
        raise RuntimeError(f"tiktok-assets estimate exited {code}: {out.getvalue()[-800:]}")
    return seconds


def sensor_seconds(today: date, accounts: int, instance: Any) -> float:
    """One tick of ``credit_budget_sensor``: its body ``evaluate_credit_budget`` over the shared state's
    ledger (``shared_ledger()``, as the sensor calls it), at noon of ``today``; the median of
    ``SENSOR_TICKS`` ticks, each from a fresh context (no cursor: the tick that emits an observation)."""
    from dagster import build_sensor_context

    from tiktok_assets.budget.sensors import evaluate_credit_budget, shared_ledger
    from tiktok_assets.budget.settings import BudgetSettings, billing_period

    now = _capture_time(today) + timedelta(hours=6)
    with budget_env(today, accounts):
        settings = BudgetSettings.from_env()
        ticks = []
        for _ in range(SENSOR_TICKS):
            context = build_sensor_context(instance=instance, cursor=None)
            started = time.perf_counter()
            result = evaluate_credit_budget(context, shared_ledger(), settings, now)
            ticks.append(time.perf_counter() - started)
    # It must have summed today's requests and a full billing period's (the worst case claimed in the report).
    period_start = billing_period(now, settings.billing_cycle_day)[0].date()
    per_day = accounts * LEDGER_ROWS
    expected = (per_day, per_day * ((today - max(period_start, START)).days + 1))
    seen = {k: v for e in result.asset_events for k, v in e.metadata.items()}
    got = (seen.get("used_today"), seen.get("used_billing_month"))
    if got != expected and tuple(getattr(v, "value", v) for v in got) != expected:
        raise RuntimeError(f"budget sensor summed {got}, expected {expected} (today, billing period)")
    return statistics.median(ticks)


def band_check_seconds(lake: Lake, today: date) -> tuple[float, float]:
    """One run's band checks at noon of ``today``, as a family step runs them: each table's check
    right after that asset flushed its ledger rows (4 requests of one entity, untimed), so every check
    must see rows the window did not hold before. Timed two ways side by side, alternating which goes
    first: the step's followed window (``LedgerWindow``) and a read of the whole window per check
    (what the checks did before). Both must give the same verdicts. The flushed rows are deleted
    afterwards, so the history the other costs read is the synthetic one. Returns (followed, re-read) seconds."""
    import time_machine

    from tiktok_assets.budget.checks import BAND_COLUMNS, LedgerWindow, band_result
    from tiktok_assets.budget.estimate import HISTORY_DAYS

    run_id, followed, reread = f"checks-{today}", 0.0, 0.0
    with time_machine.travel(_capture_time(today) + timedelta(hours=6), tick=True):
        window = LedgerWindow(lake)
        days = [today + timedelta(days=1 - i) for i in range(HISTORY_DAYS + 2)]
        for n, table in enumerate(API_TABLES):
            at = time.time()
            lake.append_ledger(ledger_rows([LedgerEntry("/api/v1/tiktok/x", f"c{n}.{i}", 200, 1, None, 100.0, at, table,
                                                        today.isoformat(), "acct", run_id) for i in range(LEDGER_ROWS)]),
                               flush_id=f"{run_id}.{table}")
            results = {}
            for way in (("followed", "reread") if n % 2 == 0 else ("reread", "followed")):
                started = time.perf_counter()
                rows = window.rows() if way == "followed" else lake.read("credit_ledger", dates=days, columns=BAND_COLUMNS)
                results[way] = band_result(rows, table, run_id)
                if way == "followed":
                    followed += time.perf_counter() - started
                else:
                    reread += time.perf_counter() - started
            if results["followed"].description != results["reread"].description or "no ledger rows" in results["followed"].description:
                raise RuntimeError(f"band check of {table}: followed {results['followed'].description!r}, "
                                   f"re-read {results['reread'].description!r}")
    # the flushes leave the history as the other costs expect it: their files are removed whole (untimed)
    lake.delete_rows(lake.table_uri("credit_ledger"), f"partition_date = {sql_literal(today)} AND run_id = {sql_literal(run_id)}")
    return followed, reread


def _samples(values: list[float]) -> dict[str, Any]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "samples": values}


def checkpoint(lake: Lake, day: date, scale: Scale, work: Path, instance: Any) -> dict[str, Any]:
    """Measurements once ``day`` (inclusive) is written; writes ``scale.repeats`` more days."""
    before = footprint(lake)
    catch_up = maintain(lake, before=day + timedelta(days=1))
    after = footprint(lake)
    settle(lake)
    catch_up_dbt = dbt_seconds(lake, work / "warehouse.duckdb")[0] if scale.dbt else None
    samples: dict[str, list[float]] = {key: [] for key in (*dict(PER_DAY), *dict(EXTRA), *COMPARED)}
    accounts = scale.accounts
    for i in range(1, scale.repeats + 1):
        today = day + timedelta(days=i)
        samples["write_s"].append(write_day(lake, today, accounts, scale.reobserve_days))
        samples["maintenance_s"].append(maintain(lake, before=today))
        if scale.dbt:
            build, staging = dbt_seconds(lake, work / "warehouse.duckdb")
            samples["dbt_build_s"].append(build)
            samples["dbt_staging_s"].append(staging)
        samples["estimate_s"].append(estimate_seconds(today, accounts))
        samples["sensor_s"].append(sensor_seconds(today, accounts, instance))
        followed, reread = band_check_seconds(lake, today)
        samples["band_checks_s"].append(followed)
        samples["band_reread_s"].append(reread)
    full = maintain(lake, before=day + timedelta(days=scale.repeats), full_vacuum=True)
    return {"days": (day - START).days + 1, "before": before, "after": after, "catch_up_maintenance_s": catch_up,
            "full_vacuum_s": full, **({"catch_up_dbt_s": catch_up_dbt} if catch_up_dbt is not None else {}),
            **{key: _samples(values) for key, values in samples.items() if values}}


# -- report --------------------------------------------------------------------------------------

def _fmt(seconds: float) -> str:
    return f"{seconds:.4f}" if seconds < 0.1 else f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def dbt_note(first: dict[str, Any], last: dict[str, Any], dbt_empty: tuple[float, float]) -> str:
    """What a build reads (incremental staging), its fixed cost, and which part grows, if any."""
    build = last["dbt_build_s"]["median"] / first["dbt_build_s"]["median"]
    a, b = first["dbt_staging_s"]["median"], last["dbt_staging_s"]["median"]
    staging = b / a if a else float("nan")
    if staging > GOAL:
        verdict = f" The staging part still grows {staging:.2f}x."
    elif build > GOAL:
        verdict = " What grows is the marts and tests over the whole staging history."
    else:
        verdict = ""
    return (f"- `dbt build`: the staging models are incremental by lake partition "
            f"(`dbt_project/macros/lake_incremental.sql`). A build reads only the partitions whose live files "
            f"changed since the previous build: the day's captures, the creation days the posts re-observation "
            f"window touched, and the days the daily maintenance just compacted (read again: same rows, new files). "
            f"It then replaces those partitions' staging rows. The marts are plain tables rebuilt from staging, the "
            f"local warehouse, not the lake. Each checkpoint runs one catch-up build first (every partition written "
            f"since the last checkpoint), reported apart, so the measured days are ordinary days. A build over an "
            f"empty lake takes {_fmt(dbt_empty[0])} s here (dbt's start and every model's and test's fixed cost; "
            f"staging {_fmt(dbt_empty[1])} s of it), {dbt_empty[0] / last['dbt_build_s']['median']:.0%} of the "
            f"{_fmt(last['dbt_build_s']['median'])} s at {last['days']} days; the staging models took {_fmt(a)} s at "
            f"{first['days']} days and {_fmt(b)} s at {last['days']} days (summed over threads, from "
            f"`run_results.json`).{verdict}")


def render(results: list[dict[str, Any]], scale: Scale, history_write_s: float, total_s: float,
           dbt_empty: tuple[float, float] | None, state_rows: int) -> str:
    """The Markdown report, notes included: ``make bench`` regenerates the whole file, so nothing in it
    is written by hand. The notes say what each cost reads (from the code, and profiles of this
    benchmark); the verdicts come from the measurements."""
    first, last = results[0], results[-1]
    days, accounts, repeats, reobserve = last["days"], scale.accounts, scale.repeats, scale.reobserve_days
    args = f"--accounts {accounts} --days {days} --repeats {repeats}"
    if reobserve != REOBSERVE_DAYS:
        args += f" --reobserve-days {reobserve}"
    if not scale.dbt:
        args += " --no-dbt"
    posts = (f"1 post, re-observed on the {reobserve} following days (the posts asset's default window, so each "
             f"daily run adds an observation to {reobserve + 1} creation days)" if reobserve else
             "1 post (no re-observation)")
    lines = [
        f"# Lake benchmark: {days} days at {accounts} accounts", "",
        f"Generated by `python -m benchmarks.lake_year {args}`"
        + (" (what `make bench` runs)" if scale == Scale() and days == DEFAULT_DAYS else "") + ". The whole run took "
        f"{total_s / 60:.1f} min; writing the history took {history_write_s:.0f} s "
        f"({history_write_s / max(days, 1):.2f} s a day).", "",
        f"Scale: **{accounts} accounts**" + ("" if accounts >= 1000 else
        ", not the issue's 1,000, so that a year fits in minutes on this 2-core machine. At 1,000 accounts: "
        "`make bench LAKE_BENCH_ARGS=\"--accounts 1000 --days 365\"` or `python -m benchmarks.lake_year --accounts 1000` "
        "(writing grows about linearly with the accounts, the `dbt build`s with the lake)") +
        f". Per account and day: {posts}, {COMMENTS} comments, {FOLLOWERS} followers and {LEDGER_ROWS} requests "
        f"in the ledger. One writer run per day (one commit per table).", "",
        "## Files and bytes per table", "",
        "Live files of the table's current version, before and after compaction (`Lake.maintain` of each table: "
        "the closed days that hold several small files compacted, then `vacuum` with retention 0, as "
        "`tiktok/lake_maintenance` does). The history is written without maintenance up to each checkpoint, so "
        "\"before\" is everything since the last one.", "",
        "| days | table | files before | MB before | files after compaction | MB after |", "|---|---|---|---|---|---|"]
    for r in results:
        for table in TABLES:
            if table in r["before"]:
                fb, bb = r["before"][table]
                fa, ba = r["after"].get(table, (0, 0))
                lines.append(f"| {r['days']} | {table} | {fb} | {bb / 1e6:.2f} | {fa} | {ba / 1e6:.2f} |")
    lines += ["", "## Per-day costs", "",
              f"Seconds, median of {repeats} consecutive day{'s' if repeats != 1 else ''} after the checkpoint (min-max in brackets). Goal: "
              f"each cost at {days} days within {GOAL}x of its cost at {first['days']} days.", "",
              "| per-day cost | " + " | ".join(f"{r['days']} days" for r in results) + f" | ratio | <= {GOAL}x |",
              "|---|" + "---|" * (len(results) + 2)]
    verdicts = []
    for key, label in (*PER_DAY, *EXTRA):
        if key not in first:  # --no-dbt
            lines.append(f"| {label} | " + " | ".join("not measured" for _ in results) + " | | (`--no-dbt`) |")
            continue
        cells = [f"{_fmt(r[key]['median'])} ({_fmt(r[key]['min'])}-{_fmt(r[key]['max'])})" for r in results]
        a, b = first[key]["median"], last[key]["median"]
        ratio = b / a if a else float("nan")
        if key in dict(PER_DAY):
            verdicts.append((label, ratio, ratio <= GOAL))
            verdict = "yes" if ratio <= GOAL else "**no**"
        else:
            verdict = "(part of the above)"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {ratio:.2f}x | {verdict} |")
    for key, (label, against) in COMPARED.items():
        if key in first and against in first:
            cells = [f"{_fmt(r[key]['median'])} ({_fmt(r[key]['min'])}-{_fmt(r[key]['max'])})" for r in results]
            times = [r[key]["median"] / r[against]["median"] for r in results if r[against]["median"]]
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {last[key]['median'] / first[key]['median']:.2f}x | "
                         f"(side by side: {', '.join(f'{t:.1f}x' for t in times)} the followed window's) |")
    lines.append("| catch-up maintenance at the checkpoint (not a per-day cost: everything since the last one) | "
                 + " | ".join(_fmt(r["catch_up_maintenance_s"]) for r in results) + " | | |")
    if all("catch_up_dbt_s" in r for r in results):
        lines.append("| catch-up `dbt build` at the checkpoint (not a per-day cost: every partition changed since the "
                     "last build) | " + " | ".join(_fmt(r["catch_up_dbt_s"]) for r in results) + " | | |")
    if all("full_vacuum_s" in r for r in results):
        a, b = first["full_vacuum_s"], last["full_vacuum_s"]
        lines.append("| maintenance with a full vacuum (not a per-day cost: the schedule's Sunday run) | "
                     + " | ".join(_fmt(r["full_vacuum_s"]) for r in results)
                     + (f" | {b / a:.2f}x | (weekly) |" if a else " | | (weekly) |"))
    met = [label for label, _, ok in verdicts if ok]
    missed = [f"{label} ({ratio:.2f}x)" for label, ratio, ok in verdicts if not ok]
    lines += ["", f"Within {GOAL}x: {', '.join(met) if met else 'none'}."
              + (f" Not within: {', '.join(missed)}." if missed else " Every per-day cost meets the goal."), ""]
    lines += [
        "## Notes", "",
        f"- Timings are noisy: 2 shared cores, and tests or other jobs may be running. Each per-day cost is the "
        f"median of {repeats} day{'s' if repeats != 1 else ''}; the bracketed range shows the spread. A ratio near {GOAL}x can fall either "
        f"side of it from one run to the next.",
        "- Write: each data table's commit opens the table and replaces the rows of the days it covers on this "
        "capture day (for posts, every day of the re-observation window, whose files are scanned for the rows "
        "to replace); the capture log gets one append per data table, the ledger one. Opening a table reads "
        "its last log checkpoint (one every 100 commits, so a year is not replayed) and the commits since, "
        "and loads the list of live files: one per table and day kept once compacted, the part of a write "
        "that follows the history.",
        "- Daily maintenance: `Lake.maintain` of each table after each day, as the schedule's weekday run: one "
        "table open, then compaction of only the closed days that hold two or more small files (planned from "
        "the file list the open table already holds), then a lite `vacuum`, which deletes the files the log "
        "records as removed without listing the store. A day compacted once is not touched again, so the run "
        "costs the files the day's captures added"
        + (f" (posts: a file on each of the {reobserve + 1} days of the re-observation window, the closed ones "
           f"compacted the next morning)" if reobserve else "")
        + ", not the days kept. The capture log (partitioned by table) gets a small file per commit; each "
        "table's part of it is compacted when it holds two or more. The full vacuum (the schedule's Sunday "
        "run, a separate row) lists every object under each table to find files a killed writer left behind: "
        "that listing grows with the files kept (one per table and day once compacted), once a week. The "
        f"benchmark sets `delta.deletedFileRetentionDuration` to `{TOMBSTONE_RETENTION}` on its tables: Delta "
        "drops the record of a removed file from the log at the first checkpoint after that much wall-clock "
        "time (a week by default), and the benchmark's year passes in minutes, so with the default every "
        "removal of the history would stay in the log, making table opens and the lite vacuum (which "
        "re-issues the deletes it finds recorded) grow with the history, where a real lake carries a week's "
        "records at 30 days and at 365 days alike. For the same reason each checkpoint writes a new log "
        "checkpoint of every table after its catch-up maintenance (the lake as it is once those records "
        "expired), so the per-day costs are measured from the same state at 30 and at 365 days.",
        dbt_note(first, last, dbt_empty) if dbt_empty is not None and "dbt_build_s" in first else
        "- `dbt build`: not measured (`--no-dbt`).",
        f"- `tiktok-assets estimate --date <day>`: the console script's `main` in this process, every asset over "
        f"a `tracked.yaml` of the {accounts} accounts, with the clock moved to that day (it prices from the "
        f"ledger's last 35 days and compares with the billing period's spend, both relative to today); the "
        f"interpreter's start and first imports are left out (a warm-up call). It reads 35 days and one "
        f"billing period of `credit_ledger`: each of its two reads (`Lake.read`) builds its pyarrow dataset "
        f"over the files of those days only (`DeltaTable.to_pyarrow_dataset(file_pruning_predicate=...)` on "
        f"`partition_date`, selected from the log's file list), so it reads the same files whatever the days "
        f"kept; what remains of the history is opening the table (the log since its last checkpoint, and the "
        f"list of live files: one per day kept).",
        f"- Band checks: each of the {len(API_TABLES)} API tables' `credits_within_history_band`, as a family step "
        f"runs them, each right after that asset flushed {LEDGER_ROWS} ledger rows (untimed), at noon of the day: "
        f"with the step's `LedgerWindow` (the ledger's 35-day window read at the first check, then followed: "
        f"each later check reads only the files flushed since, `tiktok_assets/lake/follow.py`), and, side by "
        f"side in the same loop, alternating which goes first, with a full read of the window per check "
        f"(`Lake.read`, what the checks did before). Both must give every table the same verdict.",
        f"- Budget sensor: `credit_budget_sensor`'s body, `evaluate_credit_budget`, over `shared_ledger()` (the "
        f"median of {SENSOR_TICKS} ticks each day, as a tick takes milliseconds; the Dagster daemon's own "
        f"overhead around a tick is not included; "
        f"the shared state's request ledger is SQLite in the benchmark's own folder, never the user's "
        f"`TIKTOK_STATE_URL`). It reads only the current billing period: one aggregate query filtered on "
        f"`requested_at`, which is indexed (SQLite's plan: a search on `ix_tiktok_ledger_requested_at`), so its "
        f"cost follows one period's rows, not the history. Measured with the whole history in the ledger all "
        f"the same ({state_rows:,} rows at the end; the product prunes exported rows after 70 days, so a real "
        f"ledger is smaller), on the last day of a full billing period (the cycle day is set so: the worst case).",
    ]
    return "\n".join(lines) + "\n"


# -- main ----------------------------------------------------------------------------------------

def _isolate(work: Path, accounts: int, state_url: str | None) -> None:
    """Point the product at the benchmark's own lake, tracked file and shared state, whatever the
    caller's environment says: the benchmark must never write synthetic requests into a real ledger."""
    tracked = work / "tracked.yaml"
    tracked.write_text("accounts:\n" + "".join(f"  - {_account(n)}\n" for n in range(accounts))
                       + "hashtags: []\nkeywords: []\n", encoding="utf-8")
    os.environ[S.TIKTOK_TRACKED_FILE] = str(tracked)
    os.environ[S.TIKTOK_LAKE_URL] = str(work / "lake")
    os.environ[S.TIKTOK_STATE_URL] = state_url or f"sqlite:///{work / 'state' / 'state.sqlite'}"
    for name in (S.TIKTOK_S3_ENDPOINT_URL, S.TIKTOK_CREDIT_CAP_PER_RUN, S.TIKTOK_CREDIT_LOW_BALANCE):
        os.environ.pop(name, None)


def _state_rows() -> int:
    from sqlalchemy import func, select

    from tiktok_assets.state.engine import get_engine
    from tiktok_assets.state.tables import ledger

    with get_engine().connect() as conn:
        return int(conn.execute(select(func.count()).select_from(ledger)).scalar() or 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--accounts", type=int, default=DEFAULT_ACCOUNTS, help="tracked accounts (the issue's scale: 1000)")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="days of history at the last checkpoint")
    parser.add_argument("--checkpoints", default="30", help="comma-separated earlier checkpoints (days of history)")
    parser.add_argument("--repeats", type=int, default=DEFAULT_REPEATS, help="days measured per checkpoint (median)")
    parser.add_argument("--reobserve-days", type=int, default=REOBSERVE_DAYS,
                        help="days before each capture day whose posts each run observes again (the asset's default: 7)")
    parser.add_argument("--no-dbt", dest="dbt", action="store_false",
                        help="leave out the dbt builds (the lake's own costs only; the smoke test uses it)")
    parser.add_argument("--output", default="BENCHMARKS_LAKE.md")
    parser.add_argument("--json", default=None, help="also write the raw measurements here")
    parser.add_argument("--state-url", default=None,
                        help="a scratch SQLAlchemy URL for the shared state (default: SQLite in the work folder)")
    parser.add_argument("--workdir", default=None, help="keep the lake and state here (default: a temporary folder, removed)")
    args = parser.parse_args(argv)
    if args.accounts < 1 or args.days < 1 or args.repeats < 1 or args.reobserve_days < 0:
        parser.error("--accounts, --days and --repeats must be at least 1, --reobserve-days at least 0")
    scale = Scale(args.accounts, args.reobserve_days, args.repeats, args.dbt)
    marks = sorted({int(c) for c in args.checkpoints.split(",") if c.strip() and 0 < int(c) < args.days} | {args.days})
    started = time.perf_counter()
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="lake-year-"))
    work.mkdir(parents=True, exist_ok=True)
    _isolate(work, args.accounts, args.state_url)

    from dagster import DagsterInstance

    lake = Lake(str(work / "lake"))
    results: list[dict[str, Any]] = []
    history = 0.0
    try:
        with DagsterInstance.ephemeral() as instance:
            # Warm-ups: the first dbt build parses the project and the first estimate/sensor call imports
            # their modules; none of that is a cost of the history. The second empty build is the fixed cost.
            dbt_empty: tuple[float, float] | None = None
            if scale.dbt:
                dbt_seconds(lake, work / "warehouse.duckdb")
                dbt_empty = dbt_seconds(lake, work / "warehouse.duckdb")
                print(f"dbt build over an empty lake: {dbt_empty[0]:.1f} s (staging {dbt_empty[1]:.1f} s)", flush=True)
            written = 0
            for mark in marks:
                while written < mark:
                    history += write_day(lake, START + timedelta(days=written), args.accounts, args.reobserve_days)
                    written += 1
                    if written == 1:  # every table exists now
                        shorten_tombstone_retention(lake)
                    if written % 30 == 0 and written < mark:
                        print(f"{written} days written ({history:.0f} s)", flush=True)
                last = START + timedelta(days=written - 1)
                if not results:
                    estimate_seconds(last, args.accounts)
                    sensor_seconds(last, args.accounts, instance)
                print(f"{written} days written ({history:.0f} s); measuring", flush=True)
                results.append(checkpoint(lake, last, scale, work, instance))
                written += args.repeats  # the checkpoint wrote these days
                print(json.dumps({k: (v["median"] if isinstance(v, dict) and "median" in v else v)
                                  for k, v in results[-1].items()}, default=str), flush=True)
        rows = _state_rows()
        total = time.perf_counter() - started
        Path(args.output).write_text(render(results, scale, history, total, dbt_empty, rows), encoding="utf-8")
        if args.json:
            Path(args.json).write_text(json.dumps({**vars(scale), "history_write_s": history, "total_s": total,
                                                   "dbt_empty_s": dbt_empty[0] if dbt_empty else None,
                                                   "dbt_empty_staging_s": dbt_empty[1] if dbt_empty else None,
                                                   "state_ledger_rows": rows, "checkpoints": results},
                                                  default=str, indent=1), encoding="utf-8")
        print(f"wrote {args.output} ({total / 60:.1f} min)")
    finally:
        from tiktok_assets.state.engine import dispose_all

        dispose_all()
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
