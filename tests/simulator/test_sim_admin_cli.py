"""Admin endpoints, and the simulator as a separate process (CLI and `python -m`)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sim_http import P

REPO = Path(__file__).resolve().parents[2]


def test_admin_endpoints(simulator, client, api_key) -> None:
    admin = httpx.Client(base_url=simulator.url)  # no key: admin is free and keyless
    client.post(P + "profile", json={"username": "chef_lina"})
    stats = admin.get("/_admin/stats").json()
    assert stats["requests"] == {P + "profile": 1} and stats["status"] == {"200": 1} and stats["charged"] == 1
    fp = next(iter(stats["by_key"]))
    assert len(fp) == 12 and api_key not in str(stats)
    assert admin.post("/_admin/faults", json=[{"status": 503}, {"malformed": "no_data"}]).json()["faults_pending"] == 2
    assert admin.post("/_admin/faults", json=[{"bogus": 1}]).status_code == 400
    assert [client.post(P + "profile", json={"username": "chef_lina"}).status_code for _ in range(3)] == [503, 200, 200]
    assert admin.post("/_admin/reset", json={"credits": 5}).json() == {"ok": True, "credits_remaining": 5}
    assert admin.get("/_admin/stats").json()["requests"] == {} and simulator.request_log == []
    assert client.post(P + "profile", json={"username": "chef_lina"}).json()["credits_remaining"] == 4
    assert simulator.stats()["requests"] == {P + "profile": 1}  # admin calls are not counted
    simulator.reset_stats()
    assert simulator.stats()["charged"] == 0 and simulator.stats()["credits_remaining"] == 4
    admin.close()


def _spawn(cmd: list[str], key: str) -> tuple[subprocess.Popen, str]:
    env = {**os.environ, "SCAVIO_API_KEY": key, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert "listening on http://127.0.0.1:" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
    return proc, line.split("listening on ", 1)[1].split()[0]


@pytest.mark.parametrize("entry", [
    [sys.executable, "-m", "tiktok_assets.simulator"],
    [sys.executable, "-m", "tiktok_assets.cli.main", "simulator"],
])
def test_runs_as_a_process(entry: list[str], api_key: str) -> None:
    proc, url = _spawn([*entry, "--port", "0", "--seed", "7", "--credits", "10", "--no-quirks"], api_key)
    try:
        r = httpx.post(url + P + "profile", json={"username": "chef_lina"},
                       headers={"Authorization": f"Bearer {api_key}"}, timeout=10)
        assert r.status_code == 200 and r.json()["credits_remaining"] == 9
        assert httpx.get(url + "/_admin/stats").json()["charged"] == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and "stopped" in out
    assert api_key not in out + err


def test_cli_refuses_to_start_without_a_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SCAVIO_API_KEY"}
    done = subprocess.run([sys.executable, "-m", "tiktok_assets.simulator", "--port", "0"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode != 0 and "SCAVIO_API_KEY" in done.stderr + done.stdout
