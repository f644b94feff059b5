"""Run one contender in its own subprocess and measure it from outside.

Why a subprocess per contender: peak RSS must start from a fresh interpreter, and a crash or leak in
one contender must not touch the others. Peak RSS is the larger of two readings: the contender's own
``VmHWM`` (the kernel's high-water mark of its address space since ``exec``), which it reports in its
result file, and a psutil poll summing the whole process tree every 50 ms (catches helper subprocesses
a contender might spawn, and a contender that crashed before reporting).

Why not ``os.wait4``'s ``ru_maxrss``: Linux keeps it across ``exec``, so a child forked from this
process reports at least this process's RSS at the fork. Here that is the benchmark process with its
in-process simulator: after the million-comment scenario it holds over 1 GB, and every later contender
"peaked" at that; before it, the small contenders (dlt, naive) reported the harness's ~290 MB instead
of their own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

from . import STARTED_ENV


@dataclass
class ProcResult:
    returncode: int
    process_seconds: float
    peak_rss_bytes: int
    result: dict[str, Any] = field(default_factory=dict)  # what the contender wrote to its result file
    stderr_tail: str = ""
    cpu_seconds: float = 0.0  # user + system CPU of the direct child: less sensitive to other load than wall


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def inherited_env() -> dict[str, str]:
    """This process's environment for a contender, less the allocator variables the lake set in it when
    the harness imported the product (``tiktok_assets.lake``: delta-rs's allocator, pyarrow's pool),
    unless they were set when the benchmark started. Why: dlt and the naive loop must run as their users
    run them, on pyarrow's own pool (dlt writes its Parquet through pyarrow), and
    ours sets them itself, as the product does wherever it runs."""
    from tiktok_assets.lake import ARROW_POOL_ENV, DELTA_ALLOCATOR_ENV  # here: contenders import this module too

    set_by_import = {ARROW_POOL_ENV, DELTA_ALLOCATOR_ENV} - STARTED_ENV.keys()
    return {k: v for k, v in os.environ.items() if k not in set_by_import}


def run_contender(module: str, args: list[str], *, result_file: Path, env: dict[str, str] | None = None,
                  timeout: float = 1800.0, cwd: str | None = None) -> ProcResult:
    """Run ``python -m <module> <args> --result <result_file>``; return exit code, timings, peak RSS."""
    cmd = [sys.executable, "-m", module, *args, "--result", str(result_file)]
    full_env = {**inherited_env(), **(env or {})}
    err_path = result_file.with_suffix(".stderr.txt")
    started = time.perf_counter()
    with open(err_path, "wb") as err:
        popen = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=full_env, cwd=cwd)
        ps = psutil.Process(popen.pid)
        peak = 0
        done = threading.Event()

        def poll() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(ps))
                done.wait(0.05)

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        timer = threading.Timer(timeout, popen.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(popen.pid, 0)
        finally:
            timer.cancel()
            done.set()
            poller.join()
        popen.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - started
    result: dict[str, Any] = {}
    if result_file.exists():
        result = json.loads(result_file.read_text())
    peak = max(peak, int(result.get("vm_hwm_bytes") or 0))
    tail = err_path.read_text(errors="replace")[-3000:] if err_path.exists() else ""
    return ProcResult(popen.returncode, elapsed, peak, result, tail, usage.ru_utime + usage.ru_stime)


def own_peak_rss() -> int:
    """This process's peak RSS in bytes since its ``exec`` (``VmHWM``; 0 where /proc has none)."""
    try:
        found = re.search(r"^VmHWM:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.MULTILINE)
    except OSError:
        return 0
    return int(found.group(1)) * 1024 if found else 0


def write_result(path: str | Path, **values: Any) -> None:
    """Called inside a contender: hand its own measurements (work wall time, rows, its peak RSS so far,
    which its exit can only lower) to the parent."""
    Path(path).write_text(json.dumps({**values, "vm_hwm_bytes": own_peak_rss()}, default=str))
