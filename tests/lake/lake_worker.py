"""A separate writer process for the concurrency tests: ``python -m tests.lake.lake_worker ...``.

Modes (all through the product's own writer, ``Lake.batch`` / ``Lake.write_partition``):
- ``replace NAME COUNT``: COUNT commits, each replacing the capture of entity ``NAME-i`` on one day
  (replace-by-predicate: the commits of two such processes conflict and must be retried);
- ``slow NAME``: one baseline commit, then one large commit whose rows arrive slowly, printing
  ``WRITING`` once data files are being written (the test kills the process there).
"""

from __future__ import annotations

import sys
import time
from datetime import date, datetime, timezone

import pyarrow as pa

from tiktok_assets.lake.flatten import flatten
from tiktok_assets.lake.store import Lake

D = date(2026, 11, 20)
CAPTURED = datetime(2026, 11, 20, 6, 0, tzinfo=timezone.utc)


def rows(entity: str, ids: list[int], pad: int = 0) -> pa.RecordBatch:
    items = [{"aweme_id": str(i), "create_time": 1763620000, "desc": "x" * pad} for i in ids]
    return flatten("posts", items, partition_date=D, tracked_entity=entity, captured_at=CAPTURED)


def main(argv: list[str]) -> int:
    url, endpoint, mode, name = argv[:4]
    lake = Lake(url, endpoint or None, target_file_size=256 * 1024)
    if mode == "replace":
        for i in range(int(argv[4])):
            lake.write_partition("posts", D, f"{name}-{i}", rows(f"{name}-{i}", [i, 1000 + i]))
        print("DONE", flush=True)
    elif mode == "slow":
        lake.write_partition("posts", D, f"{name}-base", rows(f"{name}-base", [1, 2, 3]))
        print("BASE", flush=True)

        def batches():
            for n in range(100_000):
                yield pa.Table.from_batches([rows(f"{name}-big", list(range(n * 200, n * 200 + 200)), pad=300)]).to_batches()[0]
                if n == 40:
                    print("WRITING", flush=True)
                if n > 40:
                    time.sleep(0.01)

        lake.replace_rows("posts", lambda: pa.RecordBatchReader.from_batches(rows("x", []).schema, batches()), None)
        print("UNEXPECTED-END", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
