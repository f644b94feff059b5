"""A contender's environment: the allocator variables the lake sets in the harness's process (which
imports the product to build its scenarios) must not reach dlt and the naive loop; a value the
benchmark was started with is passed on.

Each case is a fresh interpreter, because ``benchmarks`` takes its starting environment when it is
first imported, and pytest's own process has imported the lake already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tiktok_assets.lake import ARROW_POOL, ARROW_POOL_ENV, DELTA_ALLOCATOR_CONF, DELTA_ALLOCATOR_ENV

ROOT = Path(__file__).resolve().parents[2]
NAMES = (ARROW_POOL_ENV, DELTA_ALLOCATOR_ENV)
HARNESS = f"""
import json, os
from benchmarks.proc import inherited_env
import tiktok_assets.lake  # as benchmarks.memory_account and benchmarks.scenarios do in the harness
child = inherited_env()
print(json.dumps({{"harness": {{n: os.environ.get(n) for n in {NAMES!r}}}, "child": {{n: child.get(n) for n in {NAMES!r}}}}}))
"""


def environments(**started_with: str) -> dict[str, dict[str, str | None]]:
    env = {k: v for k, v in os.environ.items() if k not in NAMES}
    env.update(started_with)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.run([sys.executable, "-c", HARNESS], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


def test_the_lakes_allocator_settings_stay_in_the_harness() -> None:
    seen = environments()
    assert seen["harness"] == {ARROW_POOL_ENV: ARROW_POOL, DELTA_ALLOCATOR_ENV: DELTA_ALLOCATOR_CONF}
    assert seen["child"] == {ARROW_POOL_ENV: None, DELTA_ALLOCATOR_ENV: None}


def test_a_value_the_benchmark_started_with_is_passed_on() -> None:
    seen = environments(**{ARROW_POOL_ENV: "system"})
    assert seen["harness"] == {ARROW_POOL_ENV: "system", DELTA_ALLOCATOR_ENV: DELTA_ALLOCATOR_CONF}
    assert seen["child"] == {ARROW_POOL_ENV: "system", DELTA_ALLOCATOR_ENV: None}
