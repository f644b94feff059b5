"""Issue 10 tests: writers in several processes, a killed writer, compaction beside a writer.

Local folder and moto S3. What survives is read the way users read it: the Delta table's pyarrow
dataset, and DuckDB over the live file list.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from deltalake import DeltaTable

from tiktok_assets.lake.store import Lake

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(240)


def worker(lake: Lake, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "tests.lake.lake_worker", lake.url, lake.s3_endpoint_url or "", *args],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def user_table(lake: Lake):
    return DeltaTable(lake.table_uri("posts"), storage_options=lake.storage_options).to_pyarrow_dataset().to_table()


def duckdb_ids(lake: Lake, fs=None) -> list[tuple[str, str]]:
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions=false")
    con.execute("SET autoload_known_extensions=false")
    if fs is not None:
        con.register_filesystem(fs)
    files = ", ".join("'" + f + "'" for f in lake.file_uris("posts"))
    return sorted(con.execute(f"select tracked_entity, aweme_id from read_parquet([{files}], hive_partitioning=true)").fetchall())


def expected(names: list[str], count: int) -> list[tuple[str, str]]:
    return sorted((f"{n}-{i}", str(x)) for n in names for i in range(count) for x in (i, 1000 + i))


def test_two_processes_replacing_the_same_day_lose_nothing(any_lake, moto_s3):
    """Replace-by-predicate commits of two processes on the same day conflict; the writer retries
    with jittered backoff, so every commit lands exactly once."""
    count = 12 if any_lake.is_local else 6
    procs = [worker(any_lake, "replace", name, str(count)) for name in ("p1", "p2")]
    for p in procs:
        out, err = p.communicate(timeout=200)
        assert p.returncode == 0 and "DONE" in out, err[-2000:]
    table = user_table(any_lake)
    got = sorted(zip(table["tracked_entity"].to_pylist(), table["aweme_id"].to_pylist()))
    assert got == expected(["p1", "p2"], count)
    assert duckdb_ids(any_lake, None if any_lake.is_local else moto_s3.filesystem()) == got
    assert len(any_lake.partitions("posts")) == 2 * count


def _orphans(lake: Lake) -> set[str]:
    live = {f.rsplit("/", 1)[-1] for f in lake.file_uris("posts")}
    root = lake.table_uri("posts").removeprefix("s3://")
    on_store = {p.rsplit("/", 1)[-1] for p in lake.fs.find(root) if "_delta_log" not in p}
    return on_store - live


def test_killed_writer_leaves_the_table_at_its_last_commit_and_vacuum_removes_its_files(any_lake, moto_s3):
    """Issue 9 §3 "Orphans" and issue 10: SIGKILL a writer in the middle of a large commit. Readers see
    the last commit; the next run writes normally; vacuum deletes the files the dead writer left."""
    proc = worker(any_lake, "slow", "k")
    lines = []
    for line in proc.stdout:
        lines.append(line.strip())
        if line.startswith("WRITING"):
            break
    assert lines[:2] == ["BASE", "WRITING"], (lines, proc.stderr.read()[-2000:] if proc.poll() is not None else "")
    deadline = time.monotonic() + 60
    while not _orphans(any_lake) and time.monotonic() < deadline:  # data files written, none committed
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    leftovers = _orphans(any_lake)
    assert leftovers, "the killed writer had written data files"

    table = user_table(any_lake)  # readable, at the last commit
    assert sorted(table["aweme_id"].to_pylist()) == ["1", "2", "3"] and set(table["tracked_entity"].to_pylist()) == {"k-base"}

    after = worker(any_lake, "replace", "next", "2")  # the next run is fine
    out, err = after.communicate(timeout=120)
    assert after.returncode == 0, err[-2000:]
    assert len(user_table(any_lake)) == 3 + 4

    removed = any_lake.vacuum("posts", retention_hours=0)
    assert {p.rsplit("/", 1)[-1] for p in removed} >= leftovers
    assert _orphans(any_lake) == set()
    assert len(user_table(any_lake)) == 7


def test_compaction_beside_a_writer_loses_nothing(any_lake, moto_s3):
    count = 16 if any_lake.is_local else 6
    proc = worker(any_lake, "replace", "w", str(count))
    stop = threading.Event()
    compactions: list[dict] = []
    errors: list[BaseException] = []

    def compact_loop():
        from datetime import date

        while not stop.is_set():
            try:
                compactions.append(any_lake.compact("posts", before=date(2026, 11, 21)))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            time.sleep(0.05)

    thread = threading.Thread(target=compact_loop)
    thread.start()
    out, err = proc.communicate(timeout=200)
    stop.set()
    thread.join(timeout=120)
    assert proc.returncode == 0 and "DONE" in out, err[-2000:]
    assert not errors, errors
    assert sum(c["numFilesRemoved"] for c in compactions) > 0, "compaction ran while the writer wrote"
    any_lake.compact("posts", before=__import__("datetime").date(2026, 11, 21))
    table = user_table(any_lake)
    got = sorted(zip(table["tracked_entity"].to_pylist(), table["aweme_id"].to_pylist()))
    assert got == expected(["w"], count)
    assert len(any_lake.file_uris("posts")) == 1  # one file for the day after the last compaction
    assert duckdb_ids(any_lake, None if any_lake.is_local else moto_s3.filesystem()) == got
