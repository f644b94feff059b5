"""How much memory one Delta commit of a big partition takes, and what would shrink it.

Why: the memory account of the million-comment partition (:mod:`benchmarks.memory_account`) shows
the process peaking in ``Lake.replace_rows`` (delta-rs writing the spilled rows), not while the
comments stream in. This replays that commit alone: a fresh process commits the same rows (read from
the scenario's comments table one Parquet file at a time in 64k-row batches, as the batch reads its
spill files)
through the product's own ``Lake.replace_rows``, as shipped and with smaller write buffers, and
reports each process's RSS before the commit and at its peak. delta-rs buffers each partition's
rows in memory up to ``target_file_size`` (100 MiB by default) before writing a file; ``Lake`` takes
that size as a parameter, and a Parquet row-group cap is applied by wrapping
``deltalake.WriterProperties`` in the child only: the product is not changed here.

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
import json, os, resource, sys
import pyarrow as pa, pyarrow.parquet as pq
import deltalake
from tiktok_assets.lake.store import Lake
source, target, cap, file_size, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if cap:
    original = deltalake.WriterProperties
    deltalake.WriterProperties = lambda *a, **k: original(*a, **{**k, "max_row_group_size": cap})
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
spills = sorted(os.path.join(root, f) for root, _d, files in os.walk(source) for f in files if f.endswith(".parquet"))
schema = pa.schema(deltalake.DeltaTable(source).schema().to_arrow())
total = sum(pq.ParquetFile(p).metadata.num_rows for p in spills)
rows = min(total, limit) if limit else total
def batches():  # as TableBatch._batches reads its spill files: one file at a time, 64k rows per batch
    sent = 0
    for path in spills:
        for b in pq.ParquetFile(path).iter_batches(batch_size=64 * 1024):
            b = b.slice(0, rows - sent)
            if not b.num_rows:
                return
            sent += b.num_rows
            b = b.append_column("partition_date", pa.array([path.split("partition_date=")[1].split("/")[0]] * b.num_rows))
            yield b.select(schema.names).cast(schema)
before = rss()
Lake(target, target_file_size=file_size or None).replace_rows("comments", lambda: pa.RecordBatchReader.from_batches(schema, batches()), None)
print(json.dumps({"rows": rows, "before": before, "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def commit_peak(lake_dir: Path, row_group: int, file_size: int, limit: int = 0) -> dict[str, Any]:
    """Peak RSS of a fresh process committing the comments of ``lake_dir`` (the first ``limit`` rows,
    0 = all) into a new lake."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).resolve().parents[1]),
                                                                          os.environ.get("PYTHONPATH")]))}
        out = subprocess.run([sys.executable, "-c", CHILD, str(lake_dir / "comments"), tmp, str(row_group),
                              str(file_size), str(limit)],
                             capture_output=True, text=True, env=env)
    if out.returncode:
        raise RuntimeError(f"commit replay failed: {out.stderr.strip().splitlines()[-1:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# (max_row_group_size, target_file_size, rows; 0 = as shipped / all rows)
VARIANTS = ((0, 0, 0), (65_536, 16 * 2**20, 0), (0, 0, 250_000))


def rows(lake_dir: Path, variants: tuple[tuple[int, int, int], ...] = VARIANTS) -> list[str]:
    """Markdown rows, one per variant."""
    lines = []
    for cap, size, limit in variants:
        parts = ([f"`max_row_group_size={cap}`"] if cap else []) + ([f"`target_file_size={size // 2**20} MiB`"] if size else [])
        parts += [f"only the first {limit:,} rows"] if limit else []
        r = commit_peak(lake_dir, cap, size, limit)
        lines.append(f"| {' + '.join(parts) or 'as shipped (delta-rs defaults)'} | {r['rows']:,} | {r['before'] / 2**20:.0f} | "
                     f"{r['peak'] / 2**20:.0f} | {(r['peak'] - r['before']) / 2**20:+.0f} |")
    return lines


HEADER = ["| one commit of the partition's rows, in a fresh process | rows | RSS before MB | peak MB | commit adds MB |",
          "|---|---:|---:|---:|---:|"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("lake", type=Path)
    args = ap.parse_args()
    print("\n".join(HEADER + rows(args.lake)))


if __name__ == "__main__":
    main()
