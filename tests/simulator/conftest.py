"""Fixtures for the simulator's own tests: raw httpx clients with (or without) the session key."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest

from tiktok_assets.simulator import SimulatorServer


@pytest.fixture
def client_for(api_key: str) -> Iterator[Callable[[SimulatorServer], httpx.Client]]:
    clients: list[httpx.Client] = []

    def make(sim: SimulatorServer, key: str | None = api_key) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        c = httpx.Client(base_url=sim.url, headers=headers, timeout=30)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client(simulator: SimulatorServer, client_for: Callable[[SimulatorServer], httpx.Client]) -> httpx.Client:
    return client_for(simulator)
