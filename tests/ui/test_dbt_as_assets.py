"""The demo's dbt build runs as the dbt assets: the instance (so the UI) holds a materialization per
model, with its true row count, and an evaluation per dbt test."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance

from tests.assets.conftest import ALL
from tiktok_assets.dbt.materialize import materialize_dbt
from tiktok_assets.dbt.runner import ensure_manifest


@pytest.mark.timeout(300)
def test_dbt_build_through_dagster_records_models_counts_and_checks(pipeline, tmp_path, monkeypatch, capfd) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    monkeypatch.setenv("TIKTOK_WAREHOUSE", str(warehouse))
    monkeypatch.delenv("TIKTOK_LOG_LEVEL", raising=False)
    instance = DagsterInstance.ephemeral()
    today = datetime.now(UTC).date()
    assert pipeline.run(ALL, today, instance=instance).success

    capfd.readouterr()
    summary = materialize_dbt(instance)

    assert summary.success, summary.failed
    # the demo prints this run: at the default INFO its console shows dbt's progress, not Dagster's
    # DEBUG step events (one "Yielded output" line and more per model and test, ~360 lines)
    printed = "".join(capfd.readouterr())
    assert "Running dbt command" in printed and " - DEBUG - " not in printed, printed[-3000:]
    manifest = json.loads(ensure_manifest().read_text())
    models = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert summary.models_passed == len(models) >= 20
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for node in models.values():
            key = AssetKey([node["fqn"][1], node["name"]])
            event = instance.get_latest_materialization_event(key)
            assert event is not None, f"{key.to_user_string()} has no materialization"
            meta = event.asset_materialization.metadata
            rows = con.execute(f"select count(*) from {node['relation_name']}").fetchall()[0][0]
            assert meta["dagster/row_count"].value == rows, key.to_user_string()
    finally:
        con.close()
    # every dbt test ran (those attached to a model are its asset checks; singular tests too)
    assert summary.tests_passed + summary.tests_warned == len(tests) > 100
