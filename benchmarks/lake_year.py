"""``python -m benchmarks.lake_year [--accounts 1000] [--days 365] [--output BENCHMARKS_LAKE.md]``

A year of daily captures for 1,000 accounts, written through the product's own lake writer
(``Lake.batch``: one commit per table per day, plus the capture log and the ledger), then measured
at 30 days and at the end (issue 10 §4):

- files and bytes per table, before and after compaction (``Lake.compact`` of the closed days, then
  ``vacuum`` with retention 0, as ``tiktok/lake_maintenance`` does);
- time to write one more day (after compaction: the steady state with daily maintenance);
- ``dbt build`` time for one more day (the real project over the real lake);
- ``estimate``'s time (credits per asset from the ledger history in the lake).

Scaled where a full year would not fit a 2-core machine in minutes, and said so in the report:
per account and day, 1 post (created that day), 10 comments (the product reads up to 10 videos x
1,000 comments), 20 followers (TikTok lists up to 5,000) and 4 ledger rows. The budget sensor's tick
is not measured here: it reads the shared SQL state (``tiktok_assets/state``), not the lake.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from tiktok_assets.lake.flatten import flatten
from tiktok_assets.lake.ledger import ledger_rows
from tiktok_assets.lake.store import Lake
from tiktok_assets.scavio.types import LedgerEntry

START = date(2025, 1, 1)
COMMENTS, FOLLOWERS, LEDGER_ROWS = 10, 20, 4
TABLES = ("posts", "comments", "followers", "credit_ledger", "_captures")


def _account(n: int) -> str:
    return f"acct{n:04d}"


def day_rows(day: date, accounts: int) -> dict[str, list[tuple[str, pa.RecordBatch]]]:
    """Synthetic API items of one capture day, flattened by the product's own ``flatten``."""
    at = datetime(day.year, day.month, day.day, 6, tzinfo=UTC)
    ts = int(at.timestamp()) - 3600
    out: dict[str, list[tuple[str, pa.RecordBatch]]] = {"posts": [], "comments": [], "followers": []}
    for n in range(accounts):
        a = _account(n)
        vid = f"7{day.toordinal():07d}{n:05d}"
        post = {"aweme_id": vid, "desc": f"post of {a} on {day}", "create_time": ts, "author": {"unique_id": a},
                "statistics": {"play_count": 1000 + n, "digg_count": 100, "comment_count": COMMENTS, "share_count": 3,
                               "collect_count": 2}}
        out["posts"].append((a, flatten("posts", [post], partition_date=day, tracked_entity=a, captured_at=at)))
        comments = [{"cid": f"{vid}{i:03d}", "aweme_id": vid, "text": f"comment {i}", "create_time": ts + i,
                     "digg_count": i, "reply_comment_total": 0, "user": {"unique_id": f"fan{i}"}} for i in range(COMMENTS)]
        out["comments"].append((a, flatten("comments", comments, partition_date=day, tracked_entity=a, captured_at=at)))
        fans = [{"uid": f"{n}{i:03d}", "unique_id": f"fan{n}_{i}", "sec_uid": f"MS4w{n}_{i}", "follower_count": i}
                for i in range(FOLLOWERS)]
        out["followers"].append((a, flatten("followers", fans, partition_date=day, tracked_entity=a, captured_at=at,
                                            extra={"owner_sec_uid": f"MS4w{a}", "owner_unique_id": a})))
    return out


def ledger_batch(day: date, accounts: int) -> pa.RecordBatch:
    at = datetime(day.year, day.month, day.day, 6, tzinfo=UTC).timestamp()
    entries = [LedgerEntry(endpoint="/api/v1/tiktok/user/posts", params_hash=f"h{n}{i}", http_status=200, credits_used=1,
                           credits_remaining=10_000_000, latency_ms=120.0, requested_at=at + i, run_id=f"run-{day}",
                           asset=("posts", "comments", "followers", "profiles")[i % 4], partition=day.isoformat(),
                           entity=_account(n))
               for n in range(accounts) for i in range(LEDGER_ROWS)]
    return ledger_rows(entries)


def write_day(lake: Lake, day: date, accounts: int) -> float:
    """One day of captures through the product's writer; returns seconds."""
    rows = day_rows(day, accounts)
    started = time.perf_counter()
    for table, items in rows.items():
        batch = lake.batch(table)
        try:
            for key, data in items:
                batch.put(key, day, data, captured_at=datetime(day.year, day.month, day.day, 6, tzinfo=UTC))
                batch.done(key)
            batch.commit()
        finally:
            batch.close()
    lake.append_ledger(ledger_batch(day, accounts), flush_id=f"run-{day}.bench-00000000")
    return time.perf_counter() - started


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


def maintain(lake: Lake, before: date) -> float:
    started = time.perf_counter()
    for table in TABLES:
        if table == "_captures":
            lake.compact_uri(lake.join(table))
        else:
            lake.compact(table, before=before)
        lake.vacuum(lake.join(table), 0)
    return time.perf_counter() - started


def dbt_seconds(lake: Lake, warehouse: Path) -> float:
    from tiktok_assets.dbt.runner import run_dbt_build

    started = time.perf_counter()
    summary = run_dbt_build(lake.url, str(warehouse))
    seconds = time.perf_counter() - started
    if not summary.success:
        raise RuntimeError(f"dbt build failed: {summary.describe()}")
    return seconds


def estimate_seconds(lake: Lake, day: date, accounts: int) -> float:
    from tiktok_assets.budget.estimate import estimate_credits

    started = time.perf_counter()
    try:
        estimate_credits(lake, ["posts", "comments", "followers"], (day, day),
                         entities=[_account(n) for n in range(accounts)])
    except TypeError:  # signature drift in another helper's module: measure the plain call
        estimate_credits(lake, ["posts", "comments", "followers"], (day, day))
    return time.perf_counter() - started


def checkpoint(lake: Lake, day: date, accounts: int, work: Path) -> dict[str, Any]:
    """Measurements once ``day`` (inclusive) is written."""
    before = footprint(lake)
    maintenance = maintain(lake, before=day + timedelta(days=1))
    after = footprint(lake)
    one_more = write_day(lake, day + timedelta(days=1), accounts)
    dbt = dbt_seconds(lake, work / f"warehouse-{day}.duckdb")
    return {"days": (day - START).days + 1, "before": before, "after": after, "maintenance_s": round(maintenance, 2),
            "write_one_day_s": round(one_more, 3), "dbt_build_s": round(dbt, 2),
            "estimate_s": round(estimate_seconds(lake, day + timedelta(days=1), accounts), 3)}


def render(results: list[dict[str, Any]], accounts: int, total_write_s: float) -> str:
    lines = [f"# Lake benchmark: {results[-1]['days']} days at {accounts} accounts", "",
             f"Generated by `python -m benchmarks.lake_year --accounts {accounts} --days {results[-1]['days']}`. "
             f"Scaled: per account and day 1 post, {COMMENTS} comments, {FOLLOWERS} followers, {LEDGER_ROWS} ledger rows; "
             f"one writer run per day (one commit per table). Writing the whole history took {total_write_s:.0f} s.", "",
             "| days | table | files before | MB before | files after compaction | MB after |", "|---|---|---|---|---|---|"]
    for r in results:
        for table in TABLES:
            if table in r["before"]:
                fb, bb = r["before"][table]
                fa, ba = r["after"].get(table, (0, 0))
                lines.append(f"| {r['days']} | {table} | {fb} | {bb / 1e6:.1f} | {fa} | {ba / 1e6:.1f} |")
    lines += ["", "| per-day cost | " + " | ".join(f"{r['days']} days" for r in results) + " | ratio |",
              "|---|" + "---|" * (len(results) + 1)]
    for key, label in (("write_one_day_s", "write one more day (s)"), ("dbt_build_s", "dbt build after it (s)"),
                       ("estimate_s", "estimate (s)"), ("maintenance_s", "maintenance at the checkpoint (s)")):
        values = [r[key] for r in results]
        ratio = values[-1] / values[0] if values[0] else float("nan")
        lines.append(f"| {label} | " + " | ".join(f"{v}" for v in values) + f" | {ratio:.2f}x |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--checkpoints", default="30")
    parser.add_argument("--output", default="BENCHMARKS_LAKE.md")
    parser.add_argument("--json", default=None)
    args = parser.parse_args(argv)
    marks = sorted({int(c) for c in args.checkpoints.split(",") if c} | {args.days})
    work = Path(tempfile.mkdtemp(prefix="lake-year-"))
    lake = Lake(str(work / "lake"))
    results, total = [], 0.0
    try:
        written = 0
        for mark in marks:
            while written < mark:
                total += write_day(lake, START + timedelta(days=written), args.accounts)
                written += 1
            print(f"{written} days written ({total:.0f} s); measuring", flush=True)
            results.append(checkpoint(lake, START + timedelta(days=written - 1), args.accounts, work))
            written += 1  # the checkpoint wrote one more day
            print(json.dumps(results[-1], default=str), flush=True)
        Path(args.output).write_text(render(results, args.accounts, total), encoding="utf-8")
        if args.json:
            Path(args.json).write_text(json.dumps(results, default=str, indent=1), encoding="utf-8")
        print(f"wrote {args.output}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
