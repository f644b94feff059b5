"""Fixtures shared by every test: a simulator on loopback, a per-session API key, isolated homes.

Why a random key per session: tests grep logs, exceptions and files for it; a fixed key could match by
accident in fixtures or source files and hide a leak.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tiktok_assets.simulator import SimulatorConfig, SimulatorServer

UNIT_DIR = Path(__file__).resolve().parent / "unit"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "unit: the fast tier (tests/unit): pure functions, no simulator, moto, dbt "
                                       "or Dagster instance; `pytest -m unit`, `make test-fast`")
    config.addinivalue_line("markers", "integration: every test outside tests/unit (real simulator, moto S3, dbt); "
                                       "`pytest -m \"not unit\"`")


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: the tiers are marked by folder
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        in_unit = UNIT_DIR in Path(str(item.path)).resolve().parents
        item.add_marker(pytest.mark.unit if in_unit else pytest.mark.integration)


@pytest.fixture(scope="session", autouse=True)
def _isolated_homes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    saved = {k: os.environ.get(k) for k in ("DAGSTER_HOME", "DBT_SEND_ANONYMOUS_USAGE_STATS")}
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="session")
def api_key() -> str:
    return f"sk_test_{secrets.token_hex(16)}"


@pytest.fixture
def simulator_factory(api_key: str) -> Iterator[Callable[..., SimulatorServer]]:
    """``factory(**overrides)`` -> a started simulator (seed 42, the session key); all stopped at teardown."""
    with ExitStack() as started:
        def factory(**overrides: object) -> SimulatorServer:
            params: dict[str, object] = {"seed": 42, "api_key": api_key, **overrides}
            return started.enter_context(SimulatorServer(SimulatorConfig(**params)))  # type: ignore[arg-type]

        yield factory


@pytest.fixture
def simulator(simulator_factory: Callable[..., SimulatorServer]) -> SimulatorServer:
    return simulator_factory()


@pytest.fixture
def scavio_env(monkeypatch: pytest.MonkeyPatch, simulator: SimulatorServer, api_key: str, tmp_path: Path) -> SimulatorServer:
    """Point the client (through settings' env vars) at ``simulator`` with a fast pace and private state."""
    monkeypatch.setenv("SCAVIO_API_KEY", api_key)
    monkeypatch.setenv("SCAVIO_BASE_URL", simulator.url)
    monkeypatch.setenv("TIKTOK_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("SCAVIO_RATE_LIMIT", "100000")
    monkeypatch.setenv("SCAVIO_RATE_WINDOW_SECONDS", "1")
    return simulator
