"""Shared dbt builds: each module builds once (module-scoped) and its tests read the result.

Why builds are shared: a real ``dbt build`` costs several seconds; the assertions only read the
warehouse and the exported Parquet. Every build gets its own target folder, so runs never clash.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dagster import DagsterInstance, ExecuteInProcessResult, materialize

from tests.dbt.lake_fixture import fixture_rows, write_lake
from tests.moto_s3 import MotoS3, moto_s3  # noqa: F401  (session fixture)
from tiktok_assets.dbt.runner import DbtBuildSummary, run_dbt_build


@dataclass
class BuiltLake:
    lake_url: str
    warehouse: Path
    target: Path
    rows: dict[str, list[dict]]
    summary: DbtBuildSummary

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def dicts(self, sql: str) -> list[dict]:
        con = duckdb.connect(str(self.warehouse), read_only=True)
        try:
            cur = con.execute(sql)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row)) for row in cur.fetchall()]
        finally:
            con.close()


@pytest.fixture(scope="module")
def local_build(tmp_path_factory: pytest.TempPathFactory) -> BuiltLake:
    """The fixture lake on disk, without any credit_ledger folder, built once."""
    root = tmp_path_factory.mktemp("dbt_local")
    rows = fixture_rows(with_ledger=False)
    write_lake(str(root / "lake"), rows)
    summary = run_dbt_build(str(root / "lake"), str(root / "warehouse.duckdb"), target_path=root / "target")
    return BuiltLake(str(root / "lake"), root / "warehouse.duckdb", root / "target", rows, summary)


@dataclass
class S3Built:
    lake: BuiltLake
    moto: MotoS3
    result: ExecuteInProcessResult


@pytest.fixture(scope="module")
def s3_build(tmp_path_factory: pytest.TempPathFactory, moto_s3: MotoS3) -> Iterator[S3Built]:  # noqa: F811
    """The fixture lake plus a credit ledger in a moto S3 bucket, built once by materializing the
    Dagster dbt assets (the production path: settings come from the environment at run time)."""
    from tiktok_assets.dbt.assets import dbt_resource, tiktok_dbt_assets

    root = tmp_path_factory.mktemp("dbt_s3")
    bucket = moto_s3.make_bucket()
    lake_url = f"s3://{bucket}/lake"
    rows = fixture_rows(with_ledger=True)
    write_lake(lake_url, rows, storage_options={
        "AWS_ENDPOINT_URL": moto_s3.endpoint_url, "AWS_ACCESS_KEY_ID": moto_s3.key,
        "AWS_SECRET_ACCESS_KEY": moto_s3.secret, "AWS_ALLOW_HTTP": "true", "AWS_REGION": "us-east-1"})
    mp = pytest.MonkeyPatch()
    mp.setenv("TIKTOK_LAKE_URL", lake_url)
    mp.setenv("TIKTOK_WAREHOUSE", str(root / "warehouse.duckdb"))
    mp.setenv("TIKTOK_S3_ENDPOINT_URL", moto_s3.endpoint_url)
    mp.setenv("DBT_TARGET_PATH", str(root / "target"))  # dagster-dbt puts a per-run folder under it
    try:
        result = materialize([tiktok_dbt_assets], resources={"dbt": dbt_resource()},
                             instance=DagsterInstance.ephemeral(), raise_on_error=False)
    finally:
        mp.undo()
    summary = DbtBuildSummary(success=result.success, models_passed=0, tests_passed=0, tests_warned=0)
    yield S3Built(BuiltLake(lake_url, root / "warehouse.duckdb", root / "target", rows, summary), moto_s3, result)
