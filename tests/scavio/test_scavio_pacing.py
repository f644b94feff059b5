"""The pace belongs to the key: two processes sharing key and state dir never trip the server's limit."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

CHILD = """
import json, sys, time
from tiktok_assets.scavio.client import ScavioClient
client = ScavioClient.from_env(run_id=sys.argv[1], rate_limit=10, rate_window_seconds=1.0)
started = time.time()
for i in range(30):
    client.profile(username=("chef_lina", "urban_runner", "pixel_pets")[i % 3])
print(json.dumps({"start": started, "end": time.time(), "spent": client.credits_spent,
                  "statuses": [e.http_status for e in client.ledger]}))
"""


def test_two_processes_share_one_pace(simulator_factory, api_key, tmp_path):
    sim = simulator_factory(rate_limit=10, rate_window=1.0)
    env = {**os.environ, "SCAVIO_API_KEY": api_key, "SCAVIO_BASE_URL": sim.url,
           "TIKTOK_STATE_DIR": str(tmp_path / "state"), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, f"run-{i}"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i in range(2)]
    outs = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert api_key not in out + err
        outs.append(json.loads(out.strip().splitlines()[-1]))
    stats = sim.stats()
    assert stats["status"] == {200: 60}, stats["status"]  # zero 429s
    assert stats["charged"] == 60 and [o["spent"] for o in outs] == [30, 30]
    assert all(o["statuses"] == [200] * 30 for o in outs)
    # the two really ran at the same time (otherwise the test would prove nothing)
    assert max(o["start"] for o in outs) < min(o["end"] for o in outs)
    # and no fixed server window ever saw more than the limit
    per_window = Counter(math.floor(t / 1.0) for t, *_ in sim.request_log)
    assert max(per_window.values()) <= 10
    print("child durations", [round(o["end"] - o["start"], 2) for o in outs])
