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

What the snapshot holds, per live file: ``lake_table``, ``uri`` and ``partition_date`` (the day of
its ``partition_date=`` folder, the value DuckDB's hive partitioning gives its rows). The staging
models are incremental (``dbt_project/macros/lake_incremental.sql``): the warehouse remembers which
files each model last loaded (``lake_state.loaded_files``), and a build re-reads only the partitions
whose live files differ from those (a capture's new files, a same-day recapture's replacement, a
compaction's rewrite, a removed partition). The file's key-value metadata also carries
``tiktok.staging_fingerprint``: a hash of the dbt project files that shape the staging rows (the
staging models, the macros, ``sources.yml``, ``dbt_project.yml``), so a changed model or column makes each staging model
reload everything once instead of mixing rows computed two ways.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

LAKE_FILES_ENV = "TIKTOK_LAKE_FILES"
SNAPSHOT_DIR = Path(tempfile.gettempdir()) / "tiktok-lake-files"
KEEP_SECONDS = 24 * 3600
FINGERPRINT_KEY = b"tiktok.staging_fingerprint"
# What shapes a staging row: a change to any of these makes every staging model reload the whole lake once.
FINGERPRINTED = ("dbt_project.yml", "macros", "models/staging", "models/sources.yml")
_PARTITION = re.compile(r"/partition_date=(\d{4}-\d{2}-\d{2})/")


def live_files(lake_url: str, s3_endpoint_url: str | None = None) -> dict[str, list[str]]:
    """table -> the live data files of its current version (empty list for a table not written yet)."""
    from tiktok_assets.lake.schemas import SCHEMAS
    from tiktok_assets.lake.store import Lake

    lake = Lake(lake_url, s3_endpoint_url)
    return {table: sorted(lake.file_uris(table)) for table in SCHEMAS}


def partition_day(uri: str) -> date | None:
    """The ``partition_date=YYYY-MM-DD`` folder of a data file's URI (None if it has none)."""
    match = _PARTITION.search(uri)
    return date.fromisoformat(match.group(1)) if match else None


def staging_fingerprint(project_dir: Path | None = None) -> str:
    """A hash of the dbt project files that shape the staging rows (see ``FINGERPRINTED``)."""
    if project_dir is None:
        from tiktok_assets.dbt.project import DBT_PROJECT_DIR as project_dir
    digest = hashlib.sha256()
    for name in FINGERPRINTED:
        root = Path(project_dir) / name
        paths = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root] if root.is_file() else []
        for path in paths:
            if path.suffix not in (".sql", ".yml", ".yaml"):
                continue
            digest.update(path.relative_to(project_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def write_snapshot(lake_url: str, s3_endpoint_url: str | None = None, folder: Path = SNAPSHOT_DIR,
                   project_dir: Path | None = None) -> str:
    """Write the live-file snapshot of the lake to a new local Parquet file; returns its path."""
    files = live_files(lake_url, s3_endpoint_url)
    folder.mkdir(parents=True, exist_ok=True)
    _remove_old(folder)
    tables = [t for t, uris in files.items() for _ in uris]
    uris = [u for t in files for u in files[t]]
    days = [partition_day(u) for u in uris]
    missing = [u for u, d in zip(uris, days) if d is None]
    if missing:  # every lake table is partitioned by partition_date; the incremental staging relies on it
        raise ValueError(f"lake data file outside a partition_date= folder: {missing[0]}")
    table = pa.table({"lake_table": pa.array(tables, pa.string()), "uri": pa.array(uris, pa.string()),
                      "partition_date": pa.array(days, pa.date32())})
    table = table.replace_schema_metadata({FINGERPRINT_KEY: staging_fingerprint(project_dir).encode()})
    path = folder / f"{uuid.uuid4().hex}.parquet"
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)
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
