"""Contender "ours": the product itself, through ``tiktok-assets materialize`` (the CLI's own code).

Why the CLI entry point in-process (in this subprocess): it is the product path a user runs
(Definitions, resources from the environment, execute_in_process, the lake writer), and calling
``cli.main.main([...])`` here lets the work be timed without the interpreter start-up and imports,
which are timed separately as "process" time. Settings come from the environment the harness sets
(SCAVIO_*, TIKTOK_LAKE_URL, TIKTOK_TRACKED_FILE, TIKTOK_STATE_DIR, DAGSTER_HOME).

A full load is one run, as a user types it: ``materialize --date start --end-date end`` over the
registry's assets but ``videos``. The range reaches today, so the snapshot assets are captured now
and the event assets take the whole window as one single-run backfill, in the same Dagster run.
``--phase`` runs one named selection instead.

Run: ``python -m benchmarks.ours --workload W.json --result R.json [--phase full|rerun|...]``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import time
import traceback
from collections.abc import Callable

from tiktok_assets.catalog import EVENT_NAMES, SNAPSHOT_NAMES

from .proc import write_result
from .workload import Workload

# From the registry, as the CLI takes them. ``videos`` (a /video request per discovered id) is not part of
# the workload: no other contender fetches video details, so its cost would not be compared with anything.
SNAPSHOTS = ",".join(SNAPSHOT_NAMES)
EVENTS = ",".join(n for n in EVENT_NAMES if n != "videos")


def plan(wl: Workload, phase: str, entities: str | None) -> list[list[str]]:
    """The CLI invocations of one phase."""
    ent = ["--entities", entities] if entities else []
    everything = f"{SNAPSHOTS},{EVENTS}"
    if phase == "full":
        return [["materialize", "--date", wl.start, "--end-date", wl.end, "--select", everything, "--no-dbt", *ent]]
    if phase == "rerun":  # the unchanged last day again: snapshots + events for `end` only
        return [["materialize", "--date", wl.end, "--select", everything, "--no-dbt", *ent]]
    if phase == "backfill-posts":  # one single-run backfill of the window, posts only
        return [["materialize", "--date", wl.start, "--end-date", wl.end, "--select", "posts", "--no-dbt", *ent]]
    if phase == "comments":  # the million-comment partition: the comments asset over the window
        return [["materialize", "--date", wl.start, "--end-date", wl.end, "--select", "comments", "--no-dbt", *ent]]
    raise ValueError(f"unknown phase {phase!r}")


def memory_stages() -> None:
    """With ``BENCH_MEMORY_PROBE`` set: import the heavy libraries one at a time, marking the RSS after each
    (benchmarks.memory_account); the imports below then find them loaded."""
    from . import memory_probe as probe

    window = os.environ.get("BENCH_MEMORY_TRACE")
    probe.start(os.environ["BENCH_MEMORY_PROBE"], tuple(map(int, window.split(","))) if window else None)  # type: ignore[arg-type]
    import pyarrow  # noqa: F401

    probe.mark("import pyarrow")
    import tiktok_assets.lake  # noqa: F401 - sets delta-rs's allocator, as the product does before deltalake loads
    import deltalake  # noqa: F401

    probe.mark("import deltalake")
    import dagster  # noqa: F401

    probe.mark("import dagster")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workload", required=True)
    ap.add_argument("--result", required=True)
    ap.add_argument("--phase", default="full")
    ap.add_argument("--entities", default=None)
    args = ap.parse_args()
    wl = Workload.load(args.workload)
    if os.environ.get("BENCH_MEMORY_PROBE"):
        memory_stages()
    # imports before the clock starts (timed as process time): what the CLI's `materialize --no-dbt` loads.
    # Not `tiktok_assets.definitions`: that is the code location, dbt assets included (dagster-dbt, about
    # 135 MB), which a `--no-dbt` run never imports (it builds `wiring.build_definitions(include_dbt=False)`).
    from tiktok_assets.cli import main as cli
    from tiktok_assets.cli import materialize_cmd  # noqa: F401
    from tiktok_assets import wiring  # noqa: F401

    if os.environ.get("BENCH_PACE_PROBE"):  # benchmarks.pace_account: where the rate-bound time goes
        from .pace_probe import install

        install(os.environ["BENCH_PACE_PROBE"])
    mark = _memory_mark()
    mark("import tiktok_assets (cli, wiring)")

    codes: list[int] = []
    logs: list[str] = []
    started, started_at = time.perf_counter(), time.time()
    for i, argv in enumerate(plan(wl, args.phase, args.entities), 1):
        mark(f"run {i} start")
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            try:
                codes.append(cli.main(argv))
            except Exception:  # noqa: BLE001 - record the crash, keep measuring the next run
                codes.append(3)
                traceback.print_exc()
                logs.append(f"{' '.join(argv[:4])}: crashed: {traceback.format_exc(limit=3)}")
        logs.append(buf.getvalue())
        mark(f"run {i} end")
    wall = time.perf_counter() - started
    write_result(args.result, wall_seconds=wall, started_at=started_at, exit_codes=codes, summary="\n".join(logs)[-6000:])


def _memory_mark() -> Callable[[str], None]:
    """The memory probe's ``mark`` when it is on, else a no-op."""
    if os.environ.get("BENCH_MEMORY_PROBE"):
        from .memory_probe import hook_stages, mark

        hook_stages()
        return mark
    return lambda _stage: None


if __name__ == "__main__":
    main()
