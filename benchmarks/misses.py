"""Why a missed target is missed, and what would reach it: rendered under the Targets table.

Why a module of its own: the targets table says *whether*; an engineer reading BENCHMARKS.md needs
*why* and *what would fix it* next to the numbers, and the reasons are analysis, not measurement,
so they live here, matched to target names, and are printed only for targets that were missed.
``python -m benchmarks.misses BENCHMARKS.md run.json`` rewrites that section of an existing report
from the run's ``--json`` output without re-running the benchmark.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HEADING = "## Missed targets, explained"

# (substring of the target name, explanation). First match wins.
REASONS: list[tuple[str, str]] = [
    ("rate-bound: faster than naive",
     "The naive loop is bounded by the same rate limit. The gap is its extra credits (no page-size "
     "maximum, re-fetched video details), its 429s and its fixed sleeps. 5x would need the naive loop "
     "to waste more than it does; our side is already at the bound."),
    ("latency-bound: faster than dlt",
     "Both contenders send at most 8 requests at once, so on an idle machine both are held to the server's "
     "answer time; on this one, see the CPU columns of the split table: ours spends about twice "
     "dlt's CPU per request (30.8 against 15.0 ms latency-bound on 2026-12-02, down from 36.9 after the "
     "cuts the \"wall vs bound\" item lists) for the pacer's shared state that makes two runs on one key "
     "safe, the credit ledger, the typed Arrow rows with their raw JSON and Dagster's events (that item "
     "splits it), and with 2 cores shared with the simulator that CPU, not the server, sets its pace. "
     "Ours also sends more requests, because the hashtag feed has no documented order and is read to its "
     "configured depth, where dlt stops at the first old video (and misses the feed's older-looking "
     "videos: see the rows per table), and it pays Dagster's fixed cost before the first and after the "
     "last request, against well under 1 s for dlt: in the 2026-12-02 run ours spent 46.9 s between its "
     "first and last request against dlt's 42.4 s, and 16.3 s before and after them against dlt's 2.7 s. At <= its credits can't hold while dlt stops the "
     "unordered feed early."),
    ("rate-bound: faster than dlt",
     "Both contenders are paced to the same per-key limit, so both finish at about requests ÷ rate: being "
     "ahead of dlt here means idling less than it at the bound, and sending no more requests. Ours sends "
     "more (the hashtag feed read to its depth, see the latency-bound item) and idles "
     "where the \"wall vs bound\" explanation of this regime says (the run's fixed cost, the hand-offs "
     "between assets); nothing within the limit would put either far ahead."),
    ("rate-bound: wall vs bound",
     "The \"Where the wall time goes\" table of this regime and \"Where the rate-bound wall time goes\" split "
     "the excess. A full load is one Dagster run (the snapshots, then the events step at once, the table checks "
     "after the last request, one step per family), so what is left is mostly the run's fixed cost, the split "
     "table's first and third columns: before the first request, imports of the instance's storage and one "
     "stored event per planned materialization and check (a range of 30 days plans 126 materializations, one "
     "per asset and partition, on either storage; Dagster's SQLite storage opens an engine per event, about "
     "10 ms each, of which the fsync is under 1 ms, and its PostgreSQL storage was slower still, measured "
     "2026-12-02); after the last, the final lake commit of comment_replies, the materialization events and "
     "the table checks. In the span itself, the hand-offs from posts to comments and from comments "
     "to comment_replies (the upstream's Delta commit, then the dependent's lake reads and planning) leave "
     "part of a window unused (pipelining them was measured slower on 2 cores: see the latency-bound "
     "\"wall vs bound\" item). The pacer's own share is the \"held back, server had room\" line; with "
     "`SCAVIO_RATE_LIMIT` at the server's limit it includes the ceiling's price (a 2% margin and one answer's "
     "latency per slot). What would reach 1.05x: less CPU per request (see that item), then per-account "
     "pipelining of the events chain (an account's replies planned as soon as its comments are committed) "
     "and a run set-up without per-event commits; "
     "the fixed cost alone is the sum of the split table's first and third columns."),
    ("rate-bound: credits vs minimum",
     "Credits above the minimum are requests sent twice. The client resends only what it must: a 429, a 5xx, "
     "a malformed body, or a transport error, where the server may have served (and charged) a request whose "
     "answer never arrived. The harness log of this run shows a connection reset at the simulator during the "
     "rate-bound run; the probed runs of the same workload spent exactly the minimum."),
    ("pipeline hosts: combined",
     "Several Dagster processes share two cores with the simulator and the PostgreSQL server: their pipelines' "
     "idle time (see the rate-bound account) and CPU contention add up in the combined span. The client hosts "
     "of the same scenario, which only send, stay under the bound."),
    ("concurrent runs: combined",
     "Two Dagster processes share two cores with the simulator: the combined span holds both pipelines' "
     "idle time (see the rate-bound account above) and their CPU competes. The pacer itself, with two "
     "processes on one key and every sender always ready, is in \"The pacer alone\" table."),
    ("pacer alone, ceiling",
     "`SCAVIO_RATE_LIMIT` is a sliding-window ceiling counted on answer times plus a margin of max(20 ms, "
     "2% of the window), so that no window as the server sees it ever holds more than the limit, even "
     "across hosts whose clocks differ slightly. Set equal to the server's own limit it costs, by "
     "construction, the margin plus one answer latency per window (about 1.03x idle, more under load, "
     "when answers are slower). That is the documented price of the ceiling; the server's headers alone "
     "(the variable unset) keep 0 429s without it. Marked missed only when it let a 429 through."),
    ("pacer alone, server's pace",
     "Every sender always has a request ready here, so what is above 1.00x is the pacer's own cost: the "
     "burst at each window's start (one state transaction per send) and the last window's burst at the "
     "end. Compare the sender CPU per request and the load of the machine during the run."),
    ("server's pace: unused capacity",
     "The probed run's senders waited while the server still had room for longer than 2% of the bound. "
     "See the state-database figures under the table: transactions per send above 1, or slow ones, "
     "point at contention on the shared state."),
    ("wall vs bound",
     "The \"Where the wall time goes\" table of this regime splits it, and its CPU columns say what holds it: "
     "on a 2-core machine ours uses about as much CPU as its wall time (while the simulator, in the harness, "
     "needs CPU for every answer too), dlt well under half of it, so the span runs below the 8 requests in "
     "flight that the bound assumes. Where our CPU went (py-spy over a full latency-bound run, 2026-12-02, "
     "share of the samples): turning answers into Arrow rows and staging them 22%, Dagster's run and "
     "events on the main thread 20%, the pacer's shared-state transactions (two per request, SQLite "
     "here) 20%, httpx 13%, the credit ledger's row per request 6%, lake reads and commits 5%. Two of "
     "those were cut (2026-12-02, measured side by side with the code before: 54-57 s and 40-44 s of CPU "
     "against 62-69 s and 55-61 s, same credits and rows): the shared state's statements are built once "
     "instead of per request (the pacer alone went from 3.3 to 1.2 ms of CPU per request), and the sink "
     "converts an entity's pages to Arrow once per 1,000 rows instead of per page (each conversion "
     "retook the GIL once per column beside the 8 senders: 11-17 ms per 50-comment page instead of 0.3 ms). "
     "Per-account pipelining of the events chain (an account's comments planned as soon as its posts "
     "are committed, its replies as soon as its comments are) was built and measured on this machine: "
     "75.7 s against 63.8 s without it (94.2 against 64.0 under py-spy), because its early Delta commits "
     "and per-account lake reads add CPU to a run that is already short of it (not merged; the note on "
     "issue 14 describes it). What would reach "
     "1.15x: still less CPU per request (the pacer's two transactions and the ledger's one folded into "
     "fewer, httpx), then the pipelining, whose overlap only pays when the cores are not the limit; "
     "Dagster's fixed cost is the split table's first and third columns."),
    ("peak RSS",
     "The account under \"One partition with a million comments\" splits it. The peak is the lake commit: "
     "delta-rs's `write_deltalake`, fed the spilled rows as a `RecordBatchReader` with an 8 MiB target file "
     "size and 65,536-row row groups. The commit replayed alone in a fresh process shows what it adds and how "
     "little of it is pyarrow's pool on our side of the reader: the rest is delta-rs's own memory, which reads "
     "the stream ahead of its encoding (a throttled reader lowered it; smaller files, smaller row groups or an "
     "unpartitioned write moved it less than the run-to-run spread, 2026-12-01/02). The lake sets delta-rs's "
     "allocator to one arena that returns freed pages at once (`_RJEM_MALLOC_CONF`, "
     "`tiktok_assets/lake/__init__.py`); the runs table shows the same run with delta-rs's allocator defaults "
     "beside it. Before the first row the process holds the imports (a `--no-dbt` run does not import dbt-core "
     "or dagster-dbt) and the Dagster instance and run; streaming adds the 32 MiB batch buffer, its spills and "
     "what the allocators keep (see the stage table). What would reach it: a commit that does not hold the "
     "stream (committing a huge entity in parts, which would give up the one atomic replacement, or delta-rs "
     "bounding its read-ahead), then a smaller batch buffer and a lighter run set-up than a Dagster instance. "
     "None of it is in the client or the pacer."),
    ("rerun of an unchanged day",
     "List streams whose parent count is unchanged are skipped. What remains is streams the new window "
     "selects that the earlier load didn't (for example the top comments of a one-day window), and "
     "parents whose count can't be trusted (0 or missing), which are fetched."),
    ("code location load",
     "Most of the load time is importing dagster and dagster-dbt/dbt-core; our own modules take about "
     "0.3 s. With dbt-core installed, dagster-dbt evaluates even the default selection (every model) "
     "with dbt's selector, which imports `dbt.graph` and networkx (about 1.2 s under `-X importtime`, "
     "2026-12-02); only dagster-dbt could skip it. The process figure also holds the interpreter's exit "
     "after the load (about 1.7 s of teardown of dbt's and Dagster's objects, measured with an atexit "
     "stamp: loaded at 5.98 s, process ended at 7.72 s), which a code server, which stays up, does not "
     "pay. Bytecode is compiled at install (`make`), which halves the load on these machines because "
     "PYTHONDONTWRITEBYTECODE is set."),
]


def explain(targets: list[Any]) -> list[str]:
    """Markdown lines for every missed target (objects or dicts with name/value/goal/met)."""
    lines: list[str] = []
    for t in targets:
        get = t.get if isinstance(t, dict) else lambda k, t=t: getattr(t, k)
        if get("met") is not False:
            continue
        reason = next((text for key, text in REASONS if key in get("name")), "No analysis recorded for this target.")
        lines.append(f"- **{get('name')}** ({get('value')}; goal {get('goal')}): {reason}")
    return [HEADING, "", *lines, ""] if lines else []


def rewrite(report: Path, run_json: Path) -> None:
    """Replace (or add, before ## Results) the explanations section of ``report``."""
    text = report.read_text(encoding="utf-8")
    section = "\n".join(explain(json.loads(run_json.read_text())["targets"]))
    if HEADING in text:
        start = text.index(HEADING)
        end = text.index("\n## ", start + len(HEADING))
        text = text[:start] + section + "\n" + text[end + 1:]  # keep the blank line before the next heading
    else:
        text = text.replace("## Results", section + "\n## Results", 1)
    report.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    rewrite(Path(sys.argv[1]), Path(sys.argv[2]))
