"""The dbt sources follow the lake contract, and paths given to dbt are absolute."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
import yaml

from tiktok_assets.dbt.project import REPO_ROOT, dbt_env, patched_environ, resolve_lake_url, resolve_warehouse
from tiktok_assets.dbt.sources_yml import duckdb_type, render_sources_yml, sources_yml_path
from tiktok_assets.lake.schemas import ENTITY_KIND, SCHEMAS


def test_committed_sources_yml_is_generated_from_schemas() -> None:
    assert sources_yml_path().read_text(encoding="utf-8") == render_sources_yml(), \
        "dbt_project/models/sources.yml is stale: run `python -m tiktok_assets.dbt.sources_yml`"


def test_sources_declare_every_lake_column_with_its_type() -> None:
    doc = yaml.safe_load(sources_yml_path().read_text(encoding="utf-8"))
    tables = {t["name"]: t for t in doc["sources"][0]["tables"]}
    assert set(tables) == set(SCHEMAS)
    for name, schema in SCHEMAS.items():
        assert [c["name"] for c in tables[name]["columns"]] == schema.names
        assert tables[name]["config"]["meta"]["entity_kind"] == ENTITY_KIND[name]
        assert tables[name]["config"]["meta"]["dagster"]["asset_key"] == ["tiktok", name]
    videos = {c["name"]: c["data_type"] for c in tables["videos"]["columns"]}
    assert (videos["hashtags"], videos["create_time"], videos["play_count"]) == (
        "varchar[]", "timestamp with time zone", "bigint")


def test_unknown_arrow_type_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="decimal"):
        duckdb_type(pa.decimal128(10, 2))


def test_paths_are_made_absolute_against_the_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_lake_url("data/lake") == str(REPO_ROOT / "data" / "lake")
    assert resolve_lake_url("s3://bucket/lake/") == "s3://bucket/lake"
    assert resolve_lake_url("/abs/lake") == "/abs/lake"
    assert resolve_warehouse("data/w.duckdb") == str(REPO_ROOT / "data" / "w.duckdb")
    monkeypatch.setenv("TIKTOK_LAKE_URL", "rel/lake")
    monkeypatch.delenv("TIKTOK_WAREHOUSE", raising=False)
    monkeypatch.delenv("TIKTOK_S3_ENDPOINT_URL", raising=False)
    env = dbt_env()
    assert env["TIKTOK_LAKE_URL"] == str(REPO_ROOT / "rel" / "lake")
    assert env["TIKTOK_WAREHOUSE"] == str(REPO_ROOT / "data" / "warehouse.duckdb")
    assert "TIKTOK_S3_ENDPOINT_URL" not in env
    assert dbt_env("s3://b/l", "/w.duckdb", "http://127.0.0.1:9")["TIKTOK_S3_ENDPOINT_URL"] == "http://127.0.0.1:9"
    with pytest.raises(ValueError, match="lake URL is empty"):
        resolve_lake_url("  ")


def test_patched_environ_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    monkeypatch.setenv("TIKTOK_LAKE_URL", "before")
    monkeypatch.delenv("TIKTOK_WAREHOUSE", raising=False)
    with patched_environ({"TIKTOK_LAKE_URL": "during", "TIKTOK_WAREHOUSE": "w"}):
        assert (os.environ["TIKTOK_LAKE_URL"], os.environ["TIKTOK_WAREHOUSE"]) == ("during", "w")
    assert os.environ["TIKTOK_LAKE_URL"] == "before" and "TIKTOK_WAREHOUSE" not in os.environ
    assert Path(REPO_ROOT / "dbt_project" / "dbt_project.yml").exists()
