"""Hosts of a deployment, as separate ``tiktok-assets materialize`` processes.

Each host has its own working directory (its own ``tracked.yaml``), ``DAGSTER_HOME`` and
``TIKTOK_STATE_DIR``: nothing on disk is shared. What a deployment shares is passed in ``shared``:
the API (the simulator), the S3 lake (moto), and either ``TIKTOK_STATE_URL`` + the Dagster instance
database (PostgreSQL) or, for the single-machine layout, one ``TIKTOK_STATE_DIR``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEPLOY_YAML = REPO / "docs" / "deploy" / "dagster.yaml"
CLI = str(Path(sys.executable).parent / "tiktok-assets")
DAGSTER = str(Path(sys.executable).parent / "dagster")
# Variables a host must not inherit from the test process (each host's own, or the deployment's).
PRIVATE = ("DAGSTER_HOME", "TIKTOK_STATE_DIR", "TIKTOK_STATE_URL", "TIKTOK_TRACKED_FILE", "TIKTOK_LAKE_URL",
           "SCAVIO_RATE_LIMIT", "SCAVIO_RATE_WINDOW_SECONDS", "TIKTOK_CREDIT_BUDGET_DAILY")


def accounts(first: int, n: int) -> list[str]:
    """Generated simulator accounts ``creator_0001`` ... (one profile request each)."""
    return [f"creator_{i:04d}" for i in range(first, first + n)]


@dataclass
class Host:
    name: str
    root: Path
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    output: str = ""
    started: float = 0.0
    ended: float = 0.0

    def materialize(self, *args: str) -> Host:
        """Start ``tiktok-assets materialize --date <today> --no-dbt <args>`` in the background."""
        today = datetime.now(UTC).date().isoformat()
        self.started = time.time()
        self.proc = subprocess.Popen([CLI, "materialize", "--date", today, "--no-dbt", *args], cwd=self.root / "work",
                                     env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        return self

    def wait(self, timeout: float = 240) -> int:
        assert self.proc is not None
        self.output, _ = self.proc.communicate(timeout=timeout)
        self.ended = time.time()
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL the whole host (the CLI and anything it started), like a pod lost to the OOM killer."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.wait(30)


@dataclass
class Deployment:
    root: Path
    shared: dict[str, str]
    dagster_yaml: str | None = None  # every host's instance config (None: the CLI's embedded default)
    hosts: list[Host] = field(default_factory=list)

    def host(self, name: str, tracked: list[str], **env: str) -> Host:
        root = self.root / name
        for sub in ("work", "home", "state"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        (root / "work" / "tracked.yaml").write_text("accounts:\n" + "".join(f"  - {a}\n" for a in tracked))
        if self.dagster_yaml is not None:
            (root / "home" / "dagster.yaml").write_text(self.dagster_yaml)
        base = {k: v for k, v in os.environ.items() if k not in PRIVATE}
        full = {**base, "DAGSTER_HOME": str(root / "home"), "TIKTOK_STATE_DIR": str(root / "state"),
                "PYTHONPATH": str(REPO), **self.shared, **env}
        host = Host(name, root, full)
        self.hosts.append(host)
        return host

    def admin(self, *command: str) -> str:
        """Run ``command`` against the shared instance, from a throwaway home with the same yaml."""
        home = self.root / "admin-home"
        home.mkdir(exist_ok=True)
        (home / "dagster.yaml").write_text(self.dagster_yaml or "")
        env = {**{k: v for k, v in os.environ.items() if k not in PRIVATE}, **self.shared, "DAGSTER_HOME": str(home)}
        done = subprocess.run(list(command), env=env, capture_output=True, text=True, timeout=180)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    def dagster(self, *args: str) -> str:
        return self.admin(DAGSTER, *args)

    def run_statuses(self) -> list[str]:
        """Statuses of every run the shared Dagster instance recorded."""
        code = "from dagster import DagsterInstance\nprint(*sorted(r.status.value for r in DagsterInstance.get().get_runs()))"
        return self.admin(sys.executable, "-c", code).split()
