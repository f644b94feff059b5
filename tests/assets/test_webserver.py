"""The code location loads in the real webserver: assets, partitions, schedule (and sensors) via GraphQL.

Slow (~10-20 s): one test, one webserver, started in its own process group and killed as a group.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.assets.conftest import ALL

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gql(port: int, query: str) -> dict:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read())


@pytest.mark.timeout(180)
def test_webserver_loads_assets_partitions_schedule(tmp_path) -> None:
    port = free_port()
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {**os.environ, "DAGSTER_HOME": str(home), "SCAVIO_API_KEY": "sk-never-used", "TIKTOK_LAKE_URL": str(tmp_path / "lake"),
           "DAGSTER_DISABLE_TELEMETRY": "1"}
    webserver = Path(sys.executable).parent / "dagster-webserver"
    proc = subprocess.Popen([str(webserver), "-w", "dagster_workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        nodes = None
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            try:
                data = gql(port, "{ assetNodes { assetKey { path } partitionDefinition { type name } } }")
                nodes = data.get("data", {}).get("assetNodes") or None
                if nodes:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        assert nodes, "webserver never served asset nodes"
        keys = {"/".join(n["assetKey"]["path"]): n for n in nodes}
        tiktok = {k: keys.get(f"tiktok/{k}") for k in ALL}
        assert all(tiktok.values()), sorted(keys)
        from tiktok_assets.catalog import EVENT_NAMES
        assert {k: (n["partitionDefinition"] or {}).get("type") for k, n in tiktok.items()} == \
            {k: "TIME_WINDOW" if k in EVENT_NAMES else None for k in ALL}
        repo = '{repositoryLocationName: "tiktok_assets", repositoryName: "__repository__"}'
        sched = gql(port, f"{{ schedulesOrError(repositorySelector: {repo}) {{ ... on Schedules {{ results {{ name cronSchedule executionTimezone }} }} }} }}")
        results = sched["data"]["schedulesOrError"]["results"]
        assert sorted((s["name"], s["cronSchedule"], s["executionTimezone"]) for s in results) == [
            ("tiktok_daily_schedule", "15 0 * * *", "UTC"), ("tiktok_lake_maintenance_schedule", "30 3 * * *", "UTC")]
        sens = gql(port, f"{{ sensorsOrError(repositorySelector: {repo}) {{ ... on Sensors {{ results {{ name }} }} }} }}")
        names = {s["name"] for s in sens["data"]["sensorsOrError"]["results"]}
        assert names == {"tiktok_dbt_automation", "credit_budget_sensor", "low_balance_sensor"}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
