"""The live data files of every lake table, snapshotted for one dbt invocation.

Why: the lake tables are Delta tables, so "the table" is the set of files its current version
references, not every Parquet file under its folder (a compaction leaves superseded files until
vacuum; a killed writer leaves files no version references). DuckDB here has no Delta extension
(offline), so the Python side asks delta-rs for each table's live files (``DeltaTable.file_uris``)
and writes them to a small local Parquet file (``lake_table``, ``uri``); ``lake_table()`` in
``dbt_project/macros/lake.sql`` reads it and passes the list to ``read_parquet([...],
hive_partitioning=true)`` (S3 through the profile's fsspec filesystem). One snapshot per invocation
also gives every model of a build the same table versions.

Why not the dbt-duckdb ``delta`` plugin: its sources are views over datasets registered inside the
dbt process, so every model reading them must be a table and the warehouse can't be read by another
connection through them; and a missing table fails instead of reading as empty. See
``dbt_project/README.md``. By hand: ``python -m tiktok_assets.dbt.lake_files [LAKE_URL]`` prints the
``TIKTOK_LAKE_FILES`` value to export before ``dbt build``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

LAKE_FILES_ENV = "TIKTOK_LAKE_FILES"
SNAPSHOT_DIR = Path(tempfile.gettempdir()) / "tiktok-lake-files"
KEEP_SECONDS = 24 * 3600


def live_files(lake_url: str, s3_endpoint_url: str | None = None) -> dict[str, list[str]]:
    """table -> the live data files of its current version (empty list for a table not written yet)."""
    from tiktok_assets.lake.schemas import SCHEMAS
    from tiktok_assets.lake.store import Lake

    lake = Lake(lake_url, s3_endpoint_url)
    return {table: sorted(lake.file_uris(table)) for table in SCHEMAS}


def write_snapshot(lake_url: str, s3_endpoint_url: str | None = None, folder: Path = SNAPSHOT_DIR) -> str:
    """Write the live-file snapshot of the lake to a new local Parquet file; returns its path."""
    files = live_files(lake_url, s3_endpoint_url)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old(folder)
    tables = [t for t, uris in files.items() for _ in uris]
    uris = [u for t in files for u in files[t]]
    path = folder / f"{uuid.uuid4().hex}.parquet"
    pq.write_table(pa.table({"lake_table": pa.array(tables, pa.string()), "uri": pa.array(uris, pa.string())}), path)
    return str(path)


def _remove_old(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*.parquet"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass


def main(argv: list[str]) -> int:
    from tiktok_assets import settings

    url = settings.resolve_lake_url(argv[0]) if argv else settings.lake_url()
    print(write_snapshot(url, settings.env(settings.TIKTOK_S3_ENDPOINT_URL)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
