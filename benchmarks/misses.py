"""Why a missed target is missed, and what would reach it: rendered under the Targets table.

Why a module of its own: the targets table says *whether*; an engineer reading BENCHMARKS.md needs
*why* and *what would fix it* next to the numbers, and the reasons are analysis, not measurement,
so they live here, matched to target names, and are printed only for targets that were missed.
``python -m benchmarks.misses BENCHMARKS.md run.json`` rewrites that section of an existing report
from the run's ``--json`` output without re-running the benchmark.

Why figures are placeholders: a reason that quoted one run's numbers went stale on the next run. A
``Fig`` part is filled from the run's own measurements (``figures``); when a run lacks them (a
contender not run, an older JSON), its fallback, which points at the table, is printed instead.
Figures from a one-off analysis (phases of the fixed cost, a timeline, an experiment) are not
re-measured by the benchmark and are written with their date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from collections.abc import Sequence
from typing import Any, NamedTuple

from tiktok_assets.lake.batch import BUFFER_BYTES, SPILL_READ_ROWS
from tiktok_assets.lake.delta import COMMIT_ROW_GROUP_ROWS, COMMIT_TARGET_FILE_SIZE

from .report import Measurement

HEADING = "## Missed targets, explained"


class Fig(NamedTuple):
    """A part of a reason quoting this run's figures (``str.format`` fields of ``figures``)."""

    template: str
    fallback: str


def figures(measurements: Sequence[Measurement]) -> dict[str, str]:
    """This run's figures by name, ``<rb|lb>_<contender>_<span|fixed|rate|cpu>``, ``<rb|lb>_extra`` and
    ours' phases by kind, from the measurements that carry the request-span split."""
    out: dict[str, str] = {}
    by = {("rb" if m.regime == "rate-bound" else "lb", m.contender): m for m in measurements
          if m.ok and m.extra.get("request_span") and m.regime in ("rate-bound", "latency-bound")}
    for (regime, contender), m in by.items():
        key, span = f"{regime}_{contender}", float(m.extra["request_span"])
        out[f"{key}_span"] = f"{span:.1f}"
        out[f"{key}_fixed"] = f"{float(m.extra['before_first_request']) + float(m.extra['after_last_request']):.1f}"
        out[f"{key}_rate"] = f"{m.span_rate:.1f}"
        if m.extra.get("cpu_seconds"):
            out[f"{key}_cpu"] = f"{m.cpu_ms_per_request:.1f}"
        if contender == "ours" and m.extra.get("bound"):
            out[f"{regime}_span_vs_bound"] = f"{span / float(m.extra['bound']):.2f}x"
            out[f"{regime}_allowance"] = f"{0.05 * float(m.extra['bound']):.1f}"
        if contender == "ours" and m.extra.get("phases"):  # from ours' Dagster event log (benchmarks/dagster_run.py)
            for kind in ("instance", "planned", "setup", "tail", "checks"):  # checks: only runs that had check steps
                secs = [sec for k, _label, sec in m.extra["phases"] if k == kind]
                if secs:
                    out[f"{regime}_{kind}_s"] = f"{sum(secs):.1f}"
        if contender == "ours" and "planned_events" in m.extra:
            out[f"{regime}_planned_n"] = str(m.extra["planned_events"])
    for regime in ("rb", "lb"):
        if (regime, "ours") in by and (regime, "dlt") in by:
            out[f"{regime}_extra"] = str(by[(regime, "ours")].requests - by[(regime, "dlt")].requests)
    return out


def render_reason(parts: tuple[str | Fig, ...], figs: dict[str, str]) -> str:
    """Join a reason's parts, filling each ``Fig`` from ``figs`` or, if one is missing, its fallback."""
    text = []
    for part in parts:
        if isinstance(part, Fig):
            try:
                part = part.template.format_map(figs)
            except KeyError:
                part = part.fallback
        text.append(part)
    return "".join(text)

# (substring of the target name, explanation or its parts). First match wins.
REASONS: list[tuple[str, str | tuple[str | Fig, ...]]] = [
    ("rate-bound: faster than naive",
     "The naive loop is bounded by the same rate limit. The gap is its extra credits (no page-size "
     "maximum, re-fetched video details), its 429s and its fixed sleeps. 5x would need the naive loop "
     "to waste more than it does; our side is already at the bound."),
    ("latency-bound: faster than dlt", (
     "Both contenders send at most 8 requests at once, so both are held to the server's answer time "
     "between their first and last request; the split table shows where ours loses. ",
     Fig("In this run ours spent {lb_ours_span} s between its first and last request against dlt's "
         "{lb_dlt_span} s ({lb_ours_rate} against {lb_dlt_rate} requests per second), and {lb_ours_fixed} s "
         "before and after them against dlt's {lb_dlt_fixed} s. ",
         "Compare the request span and the time before and after it in the split table. "),
     "So what is left is Dagster's fixed cost (see the two \"wall vs bound\" items: the instance, one "
     "stored event per planned materialization and check, the materialization events, the last "
     "asset's checks) and ",
     Fig("the {lb_extra} requests ours sends beyond dlt's", "the requests ours sends beyond dlt's"),
     ": the hashtag feed has no documented order and is read to its configured depth, where dlt stops at "
     "the first old video (and misses the feed's older-looking videos: see the rows per table). ",
     Fig("Ours spends {lb_ours_cpu} ms of CPU per request against dlt's {lb_dlt_cpu} ms",
         "Ours spends more CPU per request than dlt (split table)"),
     " (the pacer's shared state that makes two runs on one key safe, the credit ledger, the typed Arrow "
     "rows with their raw JSON, Dagster's events), which on a slower 2-core machine shared with the "
     "simulator sets the pace (2026-12-02: 30.8 against 15.0 ms, span 46.9 s against 42.4 s). At <= its "
     "credits can't hold while dlt stops the unordered feed early.")),
    ("rate-bound: faster than dlt", (
     "Both contenders are paced to the same per-key limit, so both finish at about requests ÷ rate: being "
     "ahead of dlt here means idling less than it at the bound, and sending no more requests. ",
     Fig("Between the first and the last request both run at the limit ({rb_ours_rate} against "
         "{rb_dlt_rate} requests per second in this run); ours sends {rb_extra} more",
         "Between the first and the last request both run at the limit (split table); ours sends more"),
     " (the hashtag feed read to its depth, see the latency-bound item) and pays the run's fixed cost "
     "before and after (see \"wall vs bound\"); nothing within the limit would put either far ahead.")),
    ("rate-bound: wall vs bound", (
     "The \"Where the wall time goes\" table of this regime and \"Where the rate-bound wall time goes\" split "
     "the excess. Between the first and the last request ours runs at the limit (",
     Fig("in this run the span was {rb_span_vs_bound} the bound", "see the request span in the split table"),
     "; the server's-pace probe shows what the pacer alone costs), so the excess is the run's fixed cost, "
     "the split table's first and third columns (",
     Fig("{rb_ours_fixed} s in this run, where 1.05x allows {rb_allowance} s", "see the split table"),
     "). ",
     Fig("The phase table of this regime splits it from the run's own Dagster event log: {rb_instance_s} s before "
         "the run exists (the instance, the definitions and the job), {rb_planned_s} s from the run's creation to "
         "its start (its execution plan, and {rb_planned_n} planned materializations and checks stored one event "
         "each), {rb_setup_s} s of the first step's set-up; after the last request, {rb_tail_s} s for the last "
         "asset's commit, its checks and its partition materializations",
         "The phase table of this regime splits it from the run's own Dagster event log"),
     Fig(" and {rb_checks_s} s of table-check steps", ""),  # only runs before the checks moved into the family steps
     ". ",
     "A one-off profile (2026-12-03, not re-measured by this benchmark) split the first two further: opening "
     "the Dagster instance 1.4 s (its storage modules' imports, and alembic loading its ~600 revision scripts "
     "to stamp a new SQLite database, 0.43 s), the definitions and the job 0.3 s, then each planned event "
     "stored over a new SQLite connection (Dagster's SQLite event log; `DAGSTER_EVENT_BATCH_SIZE` groups "
     "these events, but Dagster's SQL storages still store a group one event at a time). The table checks "
     "run in the family steps, each asset's once it has committed, beside its dependents' requests (before "
     "2026-12-03 afternoon, two check steps after the last request cost 1.4-1.9 s, 0.6 s of it our checks' lake "
     "reads). Dagster's "
     "`DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS` stores one planned event per asset instead of one per "
     "partition (one latency-bound run, 2026-12-03: the run started 1.3 s after its creation instead of 2.6 "
     "s), but a failed run then no longer marks its partitions failed in the UI, so the product does not set "
     "it. What would reach 1.05x: a run set-up that stores its planned events in one transaction (Dagster's "
     "storage), then shorter hand-offs between posts, comments and comment_replies (0.4-1.1 s each with no "
     "request in flight, one of 12 at 1.3 s, since a dependent starts at its upstream's data commit, from "
     "1.2-1.7 s before; measured latency-bound, six runs, 2026-12-03).")),
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
     "`SCAVIO_RATE_LIMIT` is a sliding-window ceiling counted on answer times, so that no window as the "
     "server sees it ever holds more than the limit (here one SQLite state, one clock: 1 ms of slack; across "
     "hosts sharing PostgreSQL, a margin of max(20 ms, 2% of the window) for their clocks' skew). Set equal "
     "to the server's own limit it costs, by construction, one answer latency per window, and it never "
     "gains the partial first window a fixed-window server grants (more under load, when answers are "
     "slower; before 2026-12-05 one host paid the 2% margin too: 1.033x and 1.028x). That is the "
     "documented price of the ceiling; the server's headers alone (the variable unset) keep 0 429s "
     "without it. Marked missed only when it let a 429 through."),
    ("sliding window",
     "A sliding window frees its slots one at a time, as the previous window's requests leave it, and its "
     "`X-RateLimit-Reset` names only the next one. Since nothing says which kind of window Scavio has, the "
     "pacer sends, after each Reset, what it had left plus one request, and waits for that answer's count "
     "before more (on a fixed window this costs one answer's latency per window, spent waiting anyway). An "
     "answer whose Reset is later on the server's own clock is a later count, also when it reports more room "
     "(slots freed), so the freed slots go out as the answers name them (before 2026-12-06 only a Reset a "
     "quarter second later counted as newer, and a sliding window's requests went out one per answer: "
     "1.074x and 1.039x standalone, then 1.034x and 1.022x, 0 429s). What is left is the reaction to each "
     "freed slot: the 20 ms margin after each Reset that keeps a burst from arriving a hair before a fixed "
     "window's reset, and one answer's round trip, which each window's requests carry into the next. What "
     "would reach 1.00x: a smaller margin for resets that free few slots, at the risk of 429s on a server "
     "whose clock runs a little behind ours."),
    ("pacer alone, server's pace",
     "Every sender always has a request ready here, so what is above 1.00x is the pacer's own cost: the "
     "burst at each window's start (one state transaction per send) and the last window's burst at the "
     "end. Compare the sender CPU per request and the load of the machine during the run."),
    ("server's pace: unused capacity",
     "The probed run's senders waited while the server still had room for longer than 2% of the bound. "
     "See the state-database figures under the table: transactions per send above 1, or slow ones, "
     "point at contention on the shared state."),
    ("wall vs bound", (
     "The \"Where the wall time goes\" table of this regime splits it. ",
     Fig("In this run the span between the first and the last request ran at {lb_ours_rate} requests per "
         "second against dlt's {lb_dlt_rate} ({lb_ours_span} s against {lb_dlt_span} s), and the time before "
         "and after it was {lb_ours_fixed} s against dlt's {lb_dlt_fixed} s. ",
         "Compare the request span with dlt's in the split table. "),
     "Where ours runs at dlt's rate, the gap to the bound in the span is shared with dlt; what is ours "
     "alone is the fixed cost before and after the span (",
     Fig("here, from the phase table, {lb_instance_s} s before the run exists, {lb_planned_s} s to start it "
         "with its {lb_planned_n} planned events and {lb_tail_s} s of the events step after the last request",
         "the phase table"),
     Fig(", {lb_checks_s} s of check steps", ""),
     "; see the rate-bound \"wall vs bound\" item for what they hold",
     ") and the structure of one run. A timeline of "
     "requests per second by endpoint (one latency-bound run, 2026-12-03, 42.5 s) shows that structure: the "
     "snapshot step (profiles, then followers, followings and hashtag videos) fills the 8 slots for its "
     "first 7.3 s; the events step starts when it ends, and its chain posts -> comments -> comment_replies "
     "runs asset after asset, each once the previous one committed, with no request in flight at each "
     "hand-off (the end of the upstream's last streams and its Delta commit, then the dependent's lake "
     "read of its parents and its planning: 0.4-1.1 s, one of 12 at 1.3 s, in six runs of 2026-12-03 "
     "evening, since the dependent starts at the upstream's commit rather than after its status row, "
     "partition counts and ledger flush, which took 1.2-1.7 s; the planning reads the capture log, which "
     "each process now follows instead of re-reading it per entity: 89 reads took 2.0 s of the run's "
     "threads instead of 4.8 s, and the request span's median went from 36.8 s to 36.4 s, within the spread) and a "
     "thinning tail at the end of each asset; "
     "in steady state 50 requests per second against the 53.3 the bound assumes. Overlapping the events "
     "chain with the snapshots was built and measured (2026-12-03): one `multi_asset` over all eleven "
     "assets, which Dagster 1.13 accepts with a partitions definition per spec. It was slower, 45.9 s "
     "against 42.5 s: Dagster then plans every snapshot asset once per partition of the run's range (300 "
     "planned-materialization events instead of 126, +3.4 s before the first request, and planned "
     "materializations per day for assets that have no partitions), and with first-come request slots the "
     "followers took the slots from posts, so the chain started no earlier (posts ran 5 s instead of 1 s; "
     "span 36.6 s against 36.7 s). Not merged. On the slower machine of 2026-12-02 the process was "
     "CPU-bound instead (30.8 ms of CPU per request, cut from 36.9 by building the shared state's "
     "statements once and converting an entity's pages to Arrow once per 1,000 rows; per-account "
     "pipelining of the events chain was measured slower there, 75.7 s against 63.8 s, because its early "
     "Delta commits added CPU). What would reach 1.15x: that overlap without per-partition planning of "
     "unpartitioned assets (Dagster) and with request slots that favour the longest chain, per-account "
     "hand-offs where the cores allow, and the fixed cost of the rate-bound item.")),
    ("peak RSS",
     "The account under \"One partition with a million comments\" splits it. The peak is the lake commit: "
     f"delta-rs's `write_deltalake`, fed the spilled rows as a `RecordBatchReader` ({SPILL_READ_ROWS:,}-row reads) "
     f"with a {COMMIT_TARGET_FILE_SIZE // 2**20} MiB target file size and {COMMIT_ROW_GROUP_ROWS:,}-row row groups. "
     "The commit replayed alone in a fresh process shows what it adds "
     "and how little of it is pyarrow's pool on our side of the reader: the rest is delta-rs's own memory, which "
     "reads the stream ahead of its encoding (a throttled reader lowered it; smaller reads and files lowered it "
     "from +222 to +120 MB over the streaming level, 2026-12-05, at about 490 files per million rows instead of "
     "60; smaller row groups or an unpartitioned write moved it less than the run-to-run spread). The lake sets "
     "delta-rs's allocator to one arena that returns freed pages at once (`_RJEM_MALLOC_CONF`) and pyarrow's "
     "pool to its jemalloc (`ARROW_DEFAULT_MEMORY_POOL`; peak 506 MB against 585 MB with mimalloc, 2026-12-05), "
     "both in `tiktok_assets/lake/__init__.py`; the runs table shows the same run with delta-rs's allocator "
     "defaults beside it. Before the first row the process holds the imports (a `--no-dbt` run does not import dbt-core "
     f"or dagster-dbt) and the Dagster instance and run; streaming adds the {BUFFER_BYTES // 2**20} MiB batch buffer, its spills and "
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
     "0.3 s. dagster-dbt imports dbt-core's adapters, contracts and results when it is imported "
     "(`dagster_dbt.compat`: 1.44 s of the 3.8 s under `-X importtime`, 2026-12-03), and with dbt-core "
     "installed it evaluates even the default selection (every model) with dbt's selector, which imports "
     "`dbt.graph` and networkx (0.33 s); only dagster-dbt could skip either. The process figure also holds "
     "the interpreter's exit after the load (about 1 s of teardown of dbt's and Dagster's objects), which "
     "a code server, which stays up, does not pay. Bytecode is compiled at install (`make`), which halves "
     "the load on these machines because PYTHONDONTWRITEBYTECODE is set. On the slower machine of "
     "2026-12-02 the same load took 8.05 s (process), 6.38 s (import+resolve)."),
]


def explain(targets: list[Any], measurements: Sequence[Measurement] = ()) -> list[str]:
    """Markdown lines for every missed target (objects or dicts with name/value/goal/met), with the
    figures of ``measurements`` (the same run's) where a reason quotes them."""
    lines: list[str] = []
    figs = figures(measurements)
    for t in targets:
        get = t.get if isinstance(t, dict) else lambda k, t=t: getattr(t, k)
        if get("met") is not False:
            continue
        text = next((text for key, text in REASONS if key in get("name")), "No analysis recorded for this target.")
        reason = render_reason((text,) if isinstance(text, str) else text, figs)
        lines.append(f"- **{get('name')}** ({get('value')}; goal {get('goal')}): {reason}")
    return [HEADING, "", *lines, ""] if lines else []


def rewrite(report: Path, run_json: Path) -> None:
    """Replace (or add, before ## Results) the explanations section of ``report``."""
    text = report.read_text(encoding="utf-8")
    run = json.loads(run_json.read_text())
    measured = [Measurement.from_json(d) for d in run.get("measurements", [])]
    section = "\n".join(explain(run["targets"], measured))
    if HEADING in text:
        start = text.index(HEADING)
        end = text.index("\n## ", start + len(HEADING))
        text = text[:start] + section + "\n" + text[end + 1:]  # keep the blank line before the next heading
    else:
        text = text.replace("## Results", section + "\n## Results", 1)
    report.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    rewrite(Path(sys.argv[1]), Path(sys.argv[2]))
