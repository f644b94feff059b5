"""The pace follows the server: X-RateLimit-* over real HTTP, with a server that tells the truth or not.

No ``rate_limit`` configured (SCAVIO_RATE_LIMIT unset) unless a test says so; requests and 429s are
counted at the simulator.
"""

from __future__ import annotations

import math
import time
from collections import Counter

NAMES = ("chef_lina", "urban_runner", "pixel_pets")


def spend(client, n: int) -> float:
    started = time.monotonic()
    for _, result in client.map_concurrent(lambda name: client.profile(username=name), [NAMES[i % 3] for i in range(n)]):
        assert not isinstance(result, BaseException), result
    return time.monotonic() - started


def per_window(sim, window: float) -> Counter:
    return Counter(math.floor(t / window) for t, *_ in sim.request_log)


def test_a_server_announcing_more_than_the_default_is_used_at_its_pace(simulator_factory, make_client):
    """Default pace 10/min would take 5 minutes for 60 requests; the server allows 30 per second."""
    sim = simulator_factory(rate_limit=30, rate_window=1.0)
    client = make_client(sim, rate_limit=None, max_concurrency=4)
    elapsed = spend(client, 60)
    assert sim.stats()["status"] == {200: 60}  # not one 429
    assert elapsed < 3.5, elapsed  # two full windows (+ the partial first), nowhere near 300 s
    assert max(per_window(sim, 1.0).values()) <= 30


def test_a_server_announcing_less_than_it_enforces_is_believed(simulator_factory, make_client):
    """Enforces 20 per second but announces 5: the client keeps to 5 (never above what the server says)."""
    sim = simulator_factory(rate_limit=20, rate_window=1.0, announced_rate_limit=5)
    client = make_client(sim, rate_limit=None, max_concurrency=4)
    spend(client, 15)
    assert sim.stats()["status"] == {200: 15}
    assert max(per_window(sim, 1.0).values()) <= 5


def test_a_server_announcing_more_than_it_enforces_costs_429s_not_data(simulator_factory, make_client):
    """Announces 20, enforces 5 per second: the client meets 429s, waits for the reset, completes every
    request, and pays each exactly once."""
    sim = simulator_factory(rate_limit=5, rate_window=1.0, announced_rate_limit=20)
    client = make_client(sim, rate_limit=None, max_concurrency=4, max_retries=8)
    spend(client, 15)
    stats = sim.stats()
    assert stats["status"][200] == 15 and stats["charged"] == 15
    assert client.credits_spent == 15
    windows = len(per_window(sim, 1.0))
    print("429s", stats["status"].get(429, 0), "windows", windows)
    assert stats["status"].get(429, 0) <= 4 * windows  # at most the in-flight requests of each window


def test_a_configured_ceiling_below_the_server_is_kept(simulator_factory, make_client):
    """SCAVIO_RATE_LIMIT is a ceiling: 4 per second configured, the server would allow 100."""
    sim = simulator_factory(rate_limit=100, rate_window=1.0)
    client = make_client(sim, rate_limit=4, rate_window_seconds=1.0, max_concurrency=4)
    spend(client, 12)
    log = sorted(t for t, *_ in sim.request_log)
    assert sim.stats()["status"] == {200: 12}
    assert all(log[i + 4] - log[i] >= 1.0 for i in range(len(log) - 4))  # never 5 inside one second
