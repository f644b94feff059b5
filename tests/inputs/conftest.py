"""Fixtures for the bad-input tests: the `tiktok-assets` CLI run as a user runs it, in a subprocess.

Why a subprocess: what a user sees is the exit code, stdout and stderr of the command, including
Dagster's own warnings and any traceback, which an in-process ``main(argv)`` call would hide or
change. Each test gets a fresh ``DAGSTER_HOME`` (not created: the CLI must prepare it), its own lake,
tracked file and state folder, and the session's simulator key; requests are counted at the simulator.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

DEMO = {"accounts": ["chef_lina", "pixel_pets"], "hashtags": ["cooking"], "keywords": ["cooking recipe"]}


@dataclass
class Cli:
    sim: Any
    root: Path
    env: dict[str, str]

    @property
    def tracked(self) -> Path:
        return Path(self.env["TIKTOK_TRACKED_FILE"])

    @property
    def home(self) -> Path:
        return Path(self.env["DAGSTER_HOME"])

    def track(self, **kinds: list[str]) -> None:
        self.tracked.write_text(yaml.safe_dump({k: kinds.get(k, []) for k in ("accounts", "hashtags", "keywords")},
                                               allow_unicode=True), encoding="utf-8")

    def run(self, *args: str, timeout: float = 240, unset: tuple[str, ...] = (), **overrides: str) -> subprocess.CompletedProcess:
        env = {k: v for k, v in {**self.env, **overrides}.items() if k not in unset}
        return subprocess.run([sys.executable, "-m", "tiktok_assets.cli.main", *args], cwd=self.root, env=env,
                              capture_output=True, text=True, timeout=timeout)

    def popen(self, *args: str, **overrides: str) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "tiktok_assets.cli.main", *args], cwd=self.root,
                                env={**self.env, **overrides}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def requests(self) -> int:
        """API requests the simulator received (any status)."""
        return sum(self.sim.stats()["requests"].values())


def assert_user_error(proc: subprocess.CompletedProcess, *fragments: str, code: int = 2) -> str:
    """Exit ``code``, one ``error:`` line on stderr holding every fragment, and no traceback."""
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, proc.stderr
    for fragment in fragments:
        assert fragment in errors[0], (fragment, errors[0])
    return errors[0]


def use_tracked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> Path:
    """``text`` as the tracked file, and an empty lake, for runs launched in this process."""
    tracked = tmp_path / "tracked.yaml"
    tracked.write_text(text, encoding="utf-8")
    monkeypatch.setenv("TIKTOK_TRACKED_FILE", str(tracked))
    monkeypatch.setenv("TIKTOK_LAKE_URL", str(tmp_path / "lake"))
    return tracked


def launch(names: tuple[str, ...], tags: dict[str, str]) -> Any:
    """The Definitions' own asset job, launched the way the UI or a script launches it (run tags)."""
    from dagster import DagsterInstance

    from tiktok_assets.assets.decorator_args import asset_key
    from tiktok_assets.wiring import build_definitions

    job = build_definitions(include_dbt=False).resolve_implicit_global_asset_job_def()
    return job.execute_in_process(instance=DagsterInstance.ephemeral(), asset_selection=[asset_key(n) for n in names],
                                  tags=tags, raise_on_error=False)


def step_failure(result: Any) -> str:
    """The description of the run's one step failure."""
    [failure] = result.get_step_failure_events()
    return failure.step_failure_data.user_failure_data.description


@pytest.fixture
def cli(simulator, api_key: str, tmp_path: Path) -> Cli:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SCAVIO_", "TIKTOK_", "DAGSTER_"))}
    env.update({
        "SCAVIO_API_KEY": api_key, "SCAVIO_BASE_URL": simulator.url, "SCAVIO_RATE_LIMIT": "100000",
        "SCAVIO_RATE_WINDOW_SECONDS": "1", "SCAVIO_MAX_RETRIES": "1",
        "TIKTOK_STATE_DIR": str(tmp_path / "state"), "TIKTOK_LAKE_URL": str(tmp_path / "lake"),
        "TIKTOK_TRACKED_FILE": str(tmp_path / "tracked.yaml"), "TIKTOK_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    })
    c = Cli(simulator, tmp_path, env)
    c.track(**DEMO)
    return c
