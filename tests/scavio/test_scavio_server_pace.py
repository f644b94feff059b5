"""The pace follows the server: X-RateLimit-* over real HTTP, with a server that tells the truth or not.

No ``rate_limit`` configured (SCAVIO_RATE_LIMIT unset) unless a test says so; requests and 429s are
counted at the simulator.
"""

from __future__ import annotations

import math
import time
from collections import Counter

import pytest

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


def max_in_any_window(times: list[float], window: float) -> int:
    """The most arrivals inside any ``window`` seconds (the sliding count a server may keep)."""
    times = sorted(times)
    return max((sum(1 for u in times[i:] if u < t + window) for i, t in enumerate(times)), default=0)


def test_a_sliding_window_server_gets_no_429_at_its_pace(simulator_factory, make_client):
    """The notes give X-RateLimit-Reset but not the kind of window. Here the window slides: Reset is when
    the oldest counted request leaves it, so one slot frees, not a whole window of Limit. The client
    must not read a passed Reset as a fresh window: 0 429s, every request paid once, at the server's pace."""
    sim = simulator_factory(rate_limit=10, rate_window=1.0, rate_window_kind="sliding", latency_ms=50)
    client = make_client(sim, rate_limit=None, max_concurrency=4, max_retries=8)
    elapsed = spend(client, 60)
    stats = sim.stats()
    assert stats["status"] == {200: 60}, stats["status"]
    assert stats["charged"] == 60 and client.credits_spent == 60
    assert max_in_any_window([t for t, *_ in sim.request_log], 1.0) <= 10
    assert elapsed < 12.0, elapsed  # about 5 windows at the server's pace, not the default 10 per minute


def test_two_runs_on_a_sliding_window_with_reordered_answers_stay_within_it(simulator_factory, make_client):
    """The pacer takes a later Reset as a later count (a sliding window's answer may report more room
    than the one before). Answers that overtake each other (latency 30 +/- 25 ms) and two runs sharing
    the key's state must still never send more than the window holds: 0 429s, each request paid once."""
    import threading

    sim = simulator_factory(rate_limit=20, rate_window=1.0, rate_window_kind="sliding", latency_ms=30, latency_jitter_ms=25)
    clients = [make_client(sim, rate_limit=None, max_concurrency=8, max_retries=8) for _ in range(2)]
    threads = [threading.Thread(target=spend, args=(c, 60)) for c in clients]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    stats = sim.stats()
    assert stats["status"] == {200: 120}, stats["status"]
    assert stats["charged"] == 120 and sum(c.credits_spent for c in clients) == 120
    assert max_in_any_window([t for t, *_ in sim.request_log], 1.0) <= 20


def test_the_simulator_slides_its_window(simulator_factory, make_client):
    """The adversarial switch itself: 3 per second, sliding; a 4th inside the second is refused, and its
    Reset is the oldest arrival + 1 s."""
    import httpx

    sim = simulator_factory(rate_limit=3, rate_window=1.0, rate_window_kind="sliding")
    headers = {"Authorization": f"Bearer {sim.config.api_key}"}
    answers = [httpx.post(f"{sim.url}/api/v1/tiktok/profile", json={"username": "chef_lina"}, headers=headers)
               for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [int(a.headers["X-RateLimit-Remaining"]) for a in answers] == [2, 1, 0, 0]
    first = sorted(t for t, *_ in sim.request_log)[0]
    assert float(answers[-1].headers["X-RateLimit-Reset"]) == pytest.approx(first + 1.0, abs=0.01)
