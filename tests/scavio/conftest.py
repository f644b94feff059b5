"""Clients pointed at the simulator over real HTTP, with a private limiter state dir per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from tiktok_assets.scavio.client import ScavioClient
from tiktok_assets.simulator import SimulatorServer


@pytest.fixture
def make_client(api_key: str, tmp_path) -> Iterator[Callable[..., ScavioClient]]:
    """``make_client(sim, **overrides)``: fast pace (no pacing waits) and fast backoff unless overridden."""
    with ExitStack() as made:  # all closed at teardown
        def factory(sim: SimulatorServer, **overrides: Any) -> ScavioClient:
            params: dict[str, Any] = {"base_url": sim.url, "state_dir": tmp_path / "state", "rate_limit": 100_000,
                                      "rate_window_seconds": 1.0, "rng": lambda: 0.01}
            params.update(overrides)
            return made.enter_context(ScavioClient(params.pop("api_key", api_key), **params))

        yield factory

