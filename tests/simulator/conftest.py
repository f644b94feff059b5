"""Fixtures for the simulator's own tests: raw httpx clients with (or without) the session key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack

import httpx
import pytest

from tiktok_assets.simulator import SimulatorServer


@pytest.fixture
def client_for(api_key: str) -> Iterator[Callable[[SimulatorServer], httpx.Client]]:
    with ExitStack() as clients:  # all closed at teardown
        def make(sim: SimulatorServer, key: str | None = api_key) -> httpx.Client:
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            return clients.enter_context(httpx.Client(base_url=sim.url, headers=headers, timeout=30))

        yield make


@pytest.fixture
def client(simulator: SimulatorServer, client_for: Callable[[SimulatorServer], httpx.Client]) -> httpx.Client:
    return client_for(simulator)
