"""A separate process that spends from a shared daily budget (for the cross-process test).

Usage: ``python -m tests.budget.spend_worker BASE_URL STATE_DIR DAILY RUN_ID ATTEMPTS GO_FILE``; the
API key comes from ``SCAVIO_API_KEY`` (never argv). Prints ``ready``, waits for GO_FILE so that all
workers spend at the same time, then prints one JSON line ``{"spent": n, "refused": k}``. The tests
start them with :func:`spend_together`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from tiktok_assets.budget.reservations import SharedBudgetLimit, key_fingerprint
from tiktok_assets.budget.settings import BudgetSettings
from tiktok_assets.scavio.client import ScavioClient
from tiktok_assets.scavio.errors import BudgetExceededError

REPO = Path(__file__).resolve().parents[2]


def spend_together(base_url: str, api_key: str, daily: int, attempts: int, state_dirs: list[Path], go: Path,
                   env: dict[str, str] | None = None) -> list[dict[str, int]]:
    """One worker per state dir (``proc-<i>``), all spending at once when every one is ready: their results."""
    env = {**os.environ, "SCAVIO_API_KEY": api_key, "PYTHONPATH": str(REPO), **(env or {})}
    procs = [subprocess.Popen([sys.executable, "-m", "tests.budget.spend_worker", base_url, str(state), str(daily),
                               f"proc-{i}", str(attempts), str(go)],
                              cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i, state in enumerate(state_dirs)]
    try:
        for p in procs:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()
        go.touch()
        return [json.loads(p.stdout.readline()) for p in procs]
    finally:
        for p in procs:
            p.wait(timeout=60)


def main() -> int:
    base_url, state_dir, daily, run_id, attempts, go_file = sys.argv[1:7]
    key = os.environ["SCAVIO_API_KEY"]
    limit = SharedBudgetLimit(BudgetSettings(daily=int(daily)), key_fp=key_fingerprint(key), run_id=run_id,
                              state_dir=state_dir)
    client = ScavioClient(key, base_url=base_url, rate_limit=100000, rate_window_seconds=1, state_dir=state_dir,
                          run_id=run_id, max_concurrency=4, extra_limits=[limit])
    print("ready", flush=True)
    deadline = time.monotonic() + 30
    while not os.path.exists(go_file) and time.monotonic() < deadline:
        time.sleep(0.005)
    accounts = ["chef_lina", "urban_runner", "pixel_pets"] * (int(attempts) // 3 + 1)
    refused = 0
    for _, result in client.map_concurrent(lambda name: client.profile(username=name), accounts[: int(attempts)]):
        refused += isinstance(result, BudgetExceededError)
    print(json.dumps({"spent": client.credits_spent, "refused": refused}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
