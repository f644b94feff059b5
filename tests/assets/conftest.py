"""Fixtures for the asset tests: a pipeline wired to the simulator (real HTTP) and a tmp lake."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.moto_s3 import moto_s3, s3_bucket  # noqa: F401  (fixtures)
from tiktok_assets.catalog import ALL_NAMES

DEMO = {"accounts": ["chef_lina", "urban_runner", "pixel_pets"], "hashtags": ["cooking", "fyp"],
        "keywords": ["cooking recipe", "東京 ramen 🍜"]}
ALL = ALL_NAMES  # the eleven API assets, from the one registry


@dataclass
class Pipeline:
    sim: Any
    lake: Any
    tracked_file: Path

    def track(self, **kinds: list[str]) -> None:
        self.tracked_file.write_text(yaml.safe_dump({k: kinds.get(k, []) for k in ("accounts", "hashtags", "keywords")},
                                                    allow_unicode=True), encoding="utf-8")

    def run(self, names: tuple[str, ...] | list[str], start: date, end: date | None = None,
            tags: dict[str, str] | None = None, run_config: dict | None = None, instance: Any = None) -> Any:
        """One run of the Definitions' own asset job, exactly as the CLI/UI would launch it."""
        from dagster import AssetKey, DagsterInstance

        from tiktok_assets.wiring import build_definitions

        job = build_definitions(include_dbt=False).resolve_implicit_global_asset_job_def()
        all_tags = {"dagster/asset_partition_range_start": start.isoformat(),
                    "dagster/asset_partition_range_end": (end or start).isoformat(), **(tags or {})}
        return job.execute_in_process(
            instance=instance or DagsterInstance.ephemeral(), asset_selection=[AssetKey(["tiktok", n]) for n in names],
            tags=all_tags, run_config=run_config, raise_on_error=False,
        )


def metadata(result: Any, name: str) -> dict[str, Any]:
    """The metadata of the asset's materialization for the run's (last) partition; each partition is
    materialized once (a daily posts run also reports the days it re-observed, before its own)."""
    mats = [e.materialization for e in result.get_asset_materialization_events()
            if e.materialization.asset_key.path == ["tiktok", name]]
    assert mats and len({m.partition for m in mats}) == len(mats), f"{name}: {[m.partition for m in mats]}"
    return {k: v.value for k, v in mats[-1].metadata.items()}


def check(result: Any, name: str, check_name: str = "entities_ok") -> Any:
    evs = [e for e in result.get_asset_check_evaluations()
           if e.asset_key.path == ["tiktok", name] and e.check_name == check_name]
    assert len(evs) == 1, f"{name}: {len(evs)} {check_name} evaluations"
    return evs[0]


@pytest.fixture
def make_pipeline(scavio_env, tmp_path, monkeypatch):
    """(lake_url, s3_endpoint_url=None, sim=None) -> Pipeline on the given lake, demo entities tracked."""
    from tiktok_assets.lake.store import Lake

    def make(sim: Any, lake_url: str | None = None, s3_endpoint_url: str | None = None) -> Pipeline:
        url = lake_url or str(tmp_path / "lake")
        monkeypatch.setenv("SCAVIO_BASE_URL", sim.url)
        monkeypatch.setenv("TIKTOK_LAKE_URL", url)
        if s3_endpoint_url:
            monkeypatch.setenv("TIKTOK_S3_ENDPOINT_URL", s3_endpoint_url)
        tracked = tmp_path / "tracked.yaml"
        monkeypatch.setenv("TIKTOK_TRACKED_FILE", str(tracked))
        p = Pipeline(sim, Lake(url, s3_endpoint_url), tracked)
        p.track(**DEMO)
        return p

    return make


@pytest.fixture
def pipeline(make_pipeline, simulator) -> Pipeline:
    return make_pipeline(simulator)
