"""How much memory one Delta commit of a big partition takes: ``write_deltalake`` as the lake calls it
against delta-rs's defaults.

Why: the memory account of the million-comment partition (:mod:`benchmarks.memory_account`) showed
the process peaking in the lake commit. The lake commits through ``write_deltalake`` with the rows
streamed as a ``RecordBatchReader``, a bounded target file size and a row-group cap
(``COMMIT_TARGET_FILE_SIZE``, ``COMMIT_ROW_GROUP_ROWS`` in :mod:`tiktok_assets.lake.delta`). This
replays the commit alone, in a fresh process per variant: the same rows (the scenario's comments
table read one Parquet file at a time in batches of ``SPILL_READ_ROWS``, as the batch reads its
spill files) go through the product's ``Lake.replace_rows`` and through ``write_deltalake`` with
delta-rs's defaults (only the compression set, and delta-rs's allocator with jemalloc's defaults
instead of the lake's setting, :data:`tiktok_assets.lake.DELTA_ALLOCATOR_CONF`). RSS is sampled from
/proc/self/statm every 10 ms (not ru_maxrss: after fork + exec it still holds the parent's peak), and
pyarrow's pool beside it: what of the commit is Arrow buffers on our side of the reader.

``python -m benchmarks.commit_memory <lake dir with a comments table>``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

CHILD = """
import json, os, sys, threading, time
from tiktok_assets.lake.batch import SPILL_READ_ROWS  # first: the lake sets delta-rs's allocator before deltalake loads
import pyarrow as pa, pyarrow.parquet as pq
import deltalake
from tiktok_assets.lake.schemas import SCHEMAS
from tiktok_assets.lake.store import Lake
source, target, writer, limit = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
files = sorted(os.path.join(root, f) for root, _d, fs in os.walk(source) for f in fs if f.endswith(".parquet"))
schema = SCHEMAS["comments"]
live = {os.path.basename(u) for u in deltalake.DeltaTable(source).file_uris()}
files = [p for p in files if os.path.basename(p) in live]
total = sum(pq.ParquetFile(p).metadata.num_rows for p in files)
rows = min(total, limit) if limit else total
def batches():  # as TableBatch._batches reads its spill files: one file at a time, SPILL_READ_ROWS per batch
    sent = 0
    for path in files:
        day = path.split("partition_date=")[1].split("/")[0]
        for b in pq.ParquetFile(path).iter_batches(batch_size=SPILL_READ_ROWS):
            b = b.slice(0, rows - sent)
            if not b.num_rows:
                return
            sent += b.num_rows
            b = b.append_column("partition_date", pa.array([day] * b.num_rows).cast(pa.date32()))
            yield b.select(schema.names).cast(schema, safe=False)
before = rss()
peak = [before]
pool = [0]
def sample():
    while True:
        peak[0] = max(peak[0], rss())
        pool[0] = max(pool[0], pa.total_allocated_bytes())
        time.sleep(0.01)
threading.Thread(target=sample, daemon=True).start()
reader = lambda: pa.RecordBatchReader.from_batches(schema, batches())
if writer == "lake":  # write_deltalake with the lake's commit settings
    Lake(target).replace_rows("comments", reader, None)
else:  # write_deltalake with delta-rs's defaults (target file size, row groups), compression as the lake's
    deltalake.write_deltalake(target + "/comments", reader(), partition_by=["partition_date"],
                              writer_properties=deltalake.WriterProperties(compression="ZSTD"))
# Not ru_maxrss: after fork + exec it still holds the parent's peak (the benchmark process, simulator
# included, is far larger than this child), which made every variant read the same.
time.sleep(0.05)
peak[0] = max(peak[0], rss())
print(json.dumps({"rows": rows, "before": before, "peak": peak[0], "arrow_pool": pool[0]}))
"""


def commit_peak(lake_dir: Path, writer: str, limit: int = 0) -> dict[str, Any]:
    """Peak RSS of a fresh process committing the comments of ``lake_dir`` (the first ``limit`` rows,
    0 = all) into a new lake, with ``writer`` ("lake" or "defaults")."""
    from tiktok_assets.lake import DELTA_ALLOCATOR_ENV

    allocator = {DELTA_ALLOCATOR_ENV: ""} if writer == "defaults" else {}  # "": jemalloc's own defaults
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, **allocator, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                                          os.environ.get("PYTHONPATH")]))}
        out = subprocess.run([sys.executable, "-c", CHILD, str(lake_dir / "comments"), tmp, writer, str(limit)],
                             capture_output=True, text=True, env=env)
    if out.returncode:
        raise RuntimeError(f"commit replay failed: {out.stderr.strip().splitlines()[-1:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# (writer, rows; 0 = all)
VARIANTS = (("lake", 0), ("defaults", 0))


def labels() -> dict[str, str]:
    from tiktok_assets.lake.delta import COMMIT_ROW_GROUP_ROWS, COMMIT_TARGET_FILE_SIZE

    return {"lake": f"`write_deltalake` as the lake calls it (streamed, `target_file_size` "
                    f"{COMMIT_TARGET_FILE_SIZE // 2**20} MiB, `max_row_group_size={COMMIT_ROW_GROUP_ROWS}`)",
            "defaults": "`write_deltalake` with delta-rs's defaults (streamed, ZSTD only, its allocator's defaults)"}


def rows(lake_dir: Path, variants: tuple[tuple[str, int], ...] = VARIANTS) -> list[str]:
    """Markdown rows, one per variant."""
    lines, names = [], labels()
    for writer, limit in variants:
        r = commit_peak(lake_dir, writer, limit)
        lines.append(f"| {names[writer]} | {r['rows']:,} | {r['before'] / 2**20:.0f} | "
                     f"{r['peak'] / 2**20:.0f} | {(r['peak'] - r['before']) / 2**20:+.0f} | {r['arrow_pool'] / 2**20:.0f} |")
    return lines


HEADER = ["| one commit of the partition's rows, in a fresh process | rows | RSS before MB | peak MB | commit adds MB "
          "| pyarrow's pool at most MB |",
          "|---|---:|---:|---:|---:|---:|"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lake", type=Path)
    args = ap.parse_args()
    print("\n".join(HEADER + rows(args.lake)))


if __name__ == "__main__":
    main()
