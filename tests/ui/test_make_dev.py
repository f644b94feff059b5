"""``make dev`` as a user starts it (venv not activated, nothing set) shows the whole product at once.

Real processes: the ``tiktok_assets.devserver`` wrapper, ``dagster dev`` (webserver, daemon, code
server) and the simulator, queried over GraphQL on a free loopback port.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from tests.assets.conftest import ALL
from tests.ui.webserver import REPO, REPO_ROOT, Server, asset_keys, free_port, gql, location_status
from tiktok_assets.dbt.runner import ensure_manifest

VENV_BIN = Path(sys.executable).parent


def dbt_model_keys() -> set[str]:
    manifest = json.loads(ensure_manifest().read_text())
    return {f"{n['fqn'][1]}/{n['name']}" for n in manifest["nodes"].values() if n["resource_type"] == "model"}


def bare_env(**extra: str) -> dict[str, str]:
    """What a fresh shell has: no venv on PATH, no DAGSTER_HOME, no API settings."""
    return {"HOME": str(Path.home()), "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", **extra}


@pytest.mark.timeout(240)
def test_make_dev_loads_every_asset_and_the_embedded_default(tmp_path: Path) -> None:
    port = free_port()
    server = Server([str(VENV_BIN / "python"), "-m", "tiktok_assets.devserver", "-h", "127.0.0.1", "-p", str(port)],
                    bare_env(TIKTOK_CREDIT_BUDGET_DAILY="5000"), tmp_path, port, tmp_path / "dev.log").start()
    try:
        status = server.wait_for(location_status)
        assert "error" not in status, status
        # the budget resource's page shows the budget in force (what runs enforce), unset ones stay unset
        budget = gql(port, f"""{{ topLevelResourceDetailsOrError(resourceSelector: {{repositoryLocationName: "tiktok_assets",
            repositoryName: "__repository__", resourceName: "budget"}}) {{ ... on ResourceDetails {{
            configuredValues {{ key value }} }} }} }}""")["data"]["topLevelResourceDetailsOrError"]["configuredValues"]
        values = {v["key"]: v["value"] for v in budget}
        assert values["daily_budget"] == "5000" and values.get("monthly_budget") in (None, "null"), values
        # credit_budget is observed (the UI offers "Observe"), never "Materialize"
        nodes = gql(port, "{ assetNodes { assetKey { path } isObservable isMaterializable } }")["data"]["assetNodes"]
        [budget_node] = [n for n in nodes if n["assetKey"]["path"] == ["tiktok", "credit_budget"]]
        assert budget_node["isObservable"] and not budget_node["isMaterializable"]
        keys = asset_keys(port)
        expected = {f"tiktok/{name}" for name in ALL} | dbt_model_keys()
        assert len(dbt_model_keys()) >= 20
        assert expected <= keys, sorted(expected - keys)
        sensors = gql(port, f"{{ sensorsOrError(repositorySelector: {REPO}) {{ ... on Sensors {{ results {{ name "
                            f"sensorState {{ status }} }} }} }} }}")["data"]["sensorsOrError"]["results"]
        status = {s["name"]: s["sensorState"]["status"] for s in sensors}
        assert status["tiktok_dbt_automation"] == "RUNNING"
        log = server.log()
        # the embedded default: the simulator, and the persistent instance folder next to the data
        assert "API = the simulator at http://127.0.0.1:" in log
        assert f"DAGSTER_HOME={tmp_path / '.dagster_home'}" in log
        assert "pools:" in (tmp_path / ".dagster_home" / "dagster.yaml").read_text()
        assert "not found on PATH" not in log
    finally:
        server.stop()
    # stopping make dev stops everything it started (webserver, daemon, code server): no orphans
    assert wait_until_gone(str(port)) == []


def wait_until_gone(marker: str, timeout: float = 30) -> list[str]:
    """Command lines of processes still running with ``marker`` in them after ``timeout`` seconds."""
    import time

    import psutil

    deadline = time.monotonic() + timeout
    while True:
        left = []
        for proc in psutil.process_iter(["cmdline"]):
            line = " ".join(proc.info["cmdline"] or [])
            if marker in line and "pytest" not in line:
                left.append(line[:200])
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


@pytest.mark.timeout(240)
def test_dbt_that_cannot_load_is_a_code_location_error(tmp_path: Path) -> None:
    """Never a green "Loaded" with fewer assets: the location shows the error and the fix."""
    project = tmp_path / "dbt_project"
    shutil.copytree(REPO_ROOT / "dbt_project", project, ignore=shutil.ignore_patterns("target", "logs", "*.duckdb"))
    model = project / "models" / "marts" / "dim_accounts.sql"
    model.write_text(model.read_text() + "\n{{ this_macro_does_not_exist( }}\n")
    port = free_port()
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = bare_env(DAGSTER_HOME=str(home), TIKTOK_DBT_PROJECT_DIR=str(project), SCAVIO_API_KEY="sk-never-used")
    server = Server([str(VENV_BIN / "dagster-webserver"), "-w", str(REPO_ROOT / "dagster_workspace.yaml"),
                     "-h", "127.0.0.1", "-p", str(port)], env, tmp_path, port, tmp_path / "web.log").start()
    try:
        status = server.wait_for(location_status)
        assert "error" in status, status
        assert "the dbt models could not be loaded" in status["error"]
        assert "tiktok_assets.dbt.prepare" in status["error"]
    finally:
        server.stop()


@pytest.mark.timeout(240)
def test_dg_dev_serves_the_same_code_location(tmp_path: Path) -> None:
    """The dg layout: ``dg dev`` (from [tool.dg] in pyproject.toml, definitions in tiktok_assets/defs/)
    serves the same code location as ``make dev``: every asset, dbt included, loaded without error."""
    port = free_port()
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = bare_env(DAGSTER_HOME=str(home), SCAVIO_API_KEY="sk-never-used", VIRTUAL_ENV=str(VENV_BIN.parent),
                   PATH=f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin", TIKTOK_LAKE_URL=str(tmp_path / "lake"))
    server = Server([str(VENV_BIN / "dg"), "dev", "--port", str(port), "--host", "127.0.0.1"], env, REPO_ROOT, port,
                    tmp_path / "dg.log").start()
    try:
        status = server.wait_for(location_status)
        assert "error" not in status, status
        expected = {f"tiktok/{name}" for name in ALL} | dbt_model_keys() | {"tiktok/credit_budget", "tiktok/lake_maintenance"}
        assert expected <= asset_keys(port), sorted(expected - asset_keys(port))
    finally:
        server.stop()
