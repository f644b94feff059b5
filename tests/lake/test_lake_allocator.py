"""The allocators as the lake sets them (delta-rs's jemalloc, pyarrow's pool): in effect in a fresh process, and a user's own setting kept.

Each case runs in a fresh interpreter, because jemalloc reads its configuration once, at deltalake's
first allocation. ``stats_print`` makes jemalloc print the options it actually runs with at exit,
so the test reads what the installed library understood, not what we meant.
"""

from __future__ import annotations

import os
import subprocess
import sys

from tiktok_assets.lake import ARROW_POOL, ARROW_POOL_ENV, DELTA_ALLOCATOR_CONF, DELTA_ALLOCATOR_ENV

# A Delta commit in a process that loaded the lake's store first, as the product does: the store imports
# deltalake only inside its functions, so the lake's setting is in the environment before deltalake loads.
COMMIT = """
import os, sys, tempfile
from tiktok_assets.lake.store import Lake
assert "deltalake" not in sys.modules, "deltalake was imported before the lake set its allocator"
os.environ["{env}"] += ",stats_print:true"  # print the options in force at exit (jemalloc reads them below)
import pyarrow as pa, deltalake
deltalake.write_deltalake(tempfile.mkdtemp(), pa.table({{"a": [1, 2]}}))
print("ENV=" + os.environ["{env}"])
"""


def run(env_value: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != DELTA_ALLOCATOR_ENV}
    if env_value is not None:
        env[DELTA_ALLOCATOR_ENV] = env_value
    return subprocess.run([sys.executable, "-c", COMMIT.format(env=DELTA_ALLOCATOR_ENV)], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


def option(stats: str, name: str) -> str:
    line = next(line for line in stats.splitlines() if line.strip().startswith(f"opt.{name}:"))
    return line.split(":", 1)[1].split()[0]


def test_the_lake_gives_delta_rs_one_arena_that_returns_freed_pages() -> None:
    proc = run(None)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f"ENV={DELTA_ALLOCATOR_CONF},stats_print:true" in proc.stdout
    assert "Invalid conf" not in proc.stderr
    assert option(proc.stderr, "narenas") == "1"
    assert option(proc.stderr, "dirty_decay_ms") == "0"
    assert option(proc.stderr, "muzzy_decay_ms") == "0"


def test_a_users_own_allocator_setting_is_kept() -> None:
    proc = run("narenas:3")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "ENV=narenas:3,stats_print:true" in proc.stdout
    assert option(proc.stderr, "narenas") == "3"
    assert option(proc.stderr, "dirty_decay_ms") == "10000"  # jemalloc's default: ours was not added


# pyarrow's pool, read back from the running library after a real allocation. IMPORT_FIRST is the order
# a module that imports pyarrow before the lake produces: the variable comes too late to be read.
POOL = """
import sys
{first}
import tiktok_assets.lake.store
import pyarrow as pa
pa.table({{"a": list(range(1000))}})
print("POOL=" + pa.default_memory_pool().backend_name)
"""
IMPORT_FIRST = "import pyarrow as pa; pa.table({'b': [1]})"


def pool(first: str = "", user_value: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != ARROW_POOL_ENV}
    if user_value is not None:
        env[ARROW_POOL_ENV] = user_value
    proc = subprocess.run([sys.executable, "-c", POOL.format(first=first)], capture_output=True, text=True, env=env,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.split("POOL=", 1)[1].strip()


def test_the_lake_gives_pyarrow_its_jemalloc_pool() -> None:
    assert pool() == ARROW_POOL == "jemalloc"


def test_the_pool_is_switched_when_pyarrow_was_loaded_before_the_lake() -> None:
    assert pool(first=IMPORT_FIRST) == "jemalloc"


def test_a_users_own_pyarrow_pool_is_kept() -> None:
    assert pool(user_value="system") == "system"
    assert pool(first=IMPORT_FIRST, user_value="mimalloc") == "mimalloc"


# Platforms whose pyarrow has no jemalloc pool (its Linux ARM wheels since 18.0, macOS, Windows), which
# cannot run here: the machine and pyarrow's backends are replaced as such a platform reports them.
AS_ARM = "import platform; platform.machine = lambda: 'aarch64'"
WITHOUT_JEMALLOC = """
import pyarrow as pa; pa.table({'b': [1]})
def _no_jemalloc(): raise NotImplementedError("This Arrow build does not enable jemalloc")
pa.supported_memory_backends = lambda: ['mimalloc', 'system']; pa.jemalloc_memory_pool = _no_jemalloc
"""


def test_the_pool_is_left_alone_where_pyarrow_has_no_jemalloc() -> None:
    assert pool(first=AS_ARM) == "mimalloc"  # this pyarrow has jemalloc: the variable, had it been set, would pick it


def test_a_pyarrow_loaded_first_without_jemalloc_keeps_its_pool_and_the_lake_loads() -> None:
    assert pool(first=WITHOUT_JEMALLOC) == "mimalloc"
