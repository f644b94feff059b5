"""Error mapping, retries, stop reasons and the budget guard, asserted at the simulator."""

from __future__ import annotations

import logging
import threading
import time

import pytest

from tests.scavio.scavio_helpers import run_threads
from tiktok_assets.scavio.errors import (
    AuthError,
    BadRequestError,
    BudgetExceededError,
    EntityNotFoundError,
    InsufficientCreditsError,
    MalformedResponseError,
    RateLimitedError,
    ServerError,
)
from tiktok_assets.simulator import DELETED_ACCOUNT

PROFILE = "/api/v1/tiktok/profile"
POSTS = "/api/v1/tiktok/user/posts"


def _retry_reasons(caplog) -> list[str]:
    return [r.getMessage().split("(reason: ")[1].split(")")[0] for r in caplog.records if "(reason: " in r.getMessage()]


def test_429_honours_retry_after_seconds(simulator, make_client, caplog):
    caplog.set_level(logging.INFO, "tiktok_assets.scavio")
    client = make_client(simulator)
    simulator.enqueue_faults([{"status": 429, "retry_after": 1}])
    started = time.monotonic()
    assert client.profile(username="chef_lina")["unique_id"] == "chef_lina"
    assert time.monotonic() - started >= 0.95  # it really waited the second the server asked for
    assert simulator.stats()["requests"] == {PROFILE: 2}
    assert simulator.stats()["status"] == {429: 1, 200: 1}
    assert _retry_reasons(caplog) == ["Retry-After"]
    statuses = [(e.http_status, e.credits_used) for e in client.ledger]
    assert statuses == [(429, 0), (200, 1)]
    assert client.ledger[0].params_hash == client.ledger[1].params_hash


def test_429_without_retry_after_uses_ratelimit_reset(simulator, make_client, caplog):
    caplog.set_level(logging.INFO, "tiktok_assets.scavio")
    client = make_client(simulator)
    simulator.enqueue_faults([{"status": 429, "retry_after": None, "reset_in": 0.5}])
    started = time.monotonic()
    client.profile(username="chef_lina")
    assert time.monotonic() - started >= 0.45
    assert simulator.stats()["requests"] == {PROFILE: 2}
    assert _retry_reasons(caplog) == ["X-RateLimit-Reset"]


def test_429_http_date_retry_after(simulator_factory, make_client, caplog):
    caplog.set_level(logging.INFO, "tiktok_assets.scavio")
    sim = simulator_factory(retry_after="http-date", rate_limit=1000, rate_window=1.0)
    client = make_client(sim)
    sim.enqueue_faults([{"status": 429}])
    client.profile(username="pixel_pets")
    assert sim.stats()["status"] == {429: 1, 200: 1}
    assert _retry_reasons(caplog) == ["Retry-After"]


def test_429_past_max_retries_raises_rate_limited(simulator, make_client):
    client = make_client(simulator, max_retries=2)
    simulator.enqueue_faults([{"status": 429, "retry_after": 0}] * 3)
    with pytest.raises(RateLimitedError) as info:
        client.profile(username="chef_lina")
    assert PROFILE in str(info.value) and "gave up after 2 retries" in str(info.value)
    assert simulator.stats()["requests"] == {PROFILE: 3}
    assert simulator.stats()["charged"] == 0 and client.credits_spent == 0


def test_502_and_disconnect_are_retried_with_backoff(simulator, make_client, caplog):
    caplog.set_level(logging.INFO, "tiktok_assets.scavio")
    client = make_client(simulator)
    simulator.enqueue_faults([{"status": 502}, {"disconnect": True}, {"status": 503}])
    assert client.video(simulator.universe.posts_of("chef_lina")[0]["aweme_id"])["aweme_id"]
    assert simulator.stats()["requests"] == {"/api/v1/tiktok/video": 4}
    assert _retry_reasons(caplog) == ["backoff", "backoff", "backoff"]
    assert [e.http_status for e in client.ledger] == [502, 503, 200]  # the dropped connection got no answer


def test_5xx_past_max_retries_raises_server_error(simulator, make_client):
    client = make_client(simulator, max_retries=3)
    simulator.enqueue_faults([{"status": 502}] * 4)
    with pytest.raises(ServerError) as info:
        client.profile(username="chef_lina")
    assert info.value.status == 502 and PROFILE in str(info.value)
    assert simulator.stats()["requests"] == {PROFILE: 4}
    assert simulator.stats()["charged"] == 0


def test_401_is_not_retried_and_stops_the_client(simulator, make_client):
    client = make_client(simulator, api_key="sk_wrong_key_0000000000")
    with pytest.raises(AuthError) as info:
        client.profile(username="chef_lina")
    assert "missing or was rejected" in str(info.value) and info.value.status == 401
    assert simulator.stats()["requests"] == {PROFILE: 1}
    with pytest.raises(AuthError):
        client.video("123")  # refused without sending
    assert simulator.stats()["requests"] == {PROFILE: 1}


def test_missing_key_sends_nothing(simulator, make_client):
    client = make_client(simulator, api_key="")
    with pytest.raises(AuthError, match="missing"):
        client.profile(username="chef_lina")
    assert simulator.stats()["requests"] == {}


def test_402_stops_all_spending(simulator, make_client):
    client = make_client(simulator)
    simulator.set_credits(3)
    u = simulator.universe
    with pytest.raises(InsufficientCreditsError) as info:
        list(client.user_posts(u.sec_uid_of("chef_lina")))
    assert info.value.status == 402 and POSTS in str(info.value)
    assert simulator.stats()["charged"] == 3 and simulator.stats()["requests"] == {POSTS: 4}
    with pytest.raises(InsufficientCreditsError):
        client.profile(username="chef_lina")
    with pytest.raises(InsufficientCreditsError):
        next(client.user_followers(u.sec_uid_of("pixel_pets")))
    assert simulator.stats()["requests"] == {POSTS: 4}  # nothing else was sent


@pytest.mark.parametrize("fault", ["402", "401"])
def test_a_run_stopping_answer_lets_no_waiting_sender_out(simulator_factory, api_key, make_client, fault: str):
    """Eight senders start together on a fresh key: the pacer lets one out until the server has spoken.
    Its answer (an empty balance, or a rejected key) stops the run before the slot it frees lets the
    seven waiting senders out: one request, and each of the eight fails with the same error."""
    sim = simulator_factory(initial_credits=0) if fault == "402" else simulator_factory()
    client = make_client(sim, rate_limit=None, max_concurrency=8,
                         **({} if fault == "402" else {"api_key": api_key + "-revoked"}))
    results = list(client.map_concurrent(lambda name: client.profile(username=name), ["chef_lina"] * 8))
    expected = InsufficientCreditsError if fault == "402" else AuthError
    assert [type(r) for _, r in results] == [expected] * 8, results
    assert sim.stats()["requests"] == {PROFILE: 1} and sim.stats()["charged"] == 0


def test_404_is_an_entity_outcome(simulator, make_client):
    client = make_client(simulator)
    with pytest.raises(EntityNotFoundError) as info:
        client.profile(username=DELETED_ACCOUNT)
    assert info.value.status == 404 and PROFILE in str(info.value)
    assert client.profile(username="chef_lina")["unique_id"] == "chef_lina"  # the client carries on
    assert simulator.stats()["requests"] == {PROFILE: 2}


def test_400_names_endpoint_and_api_message_without_retry(simulator, make_client):
    client = make_client(simulator)
    with pytest.raises(BadRequestError) as info:
        client.video("not-a-number")
    assert "/api/v1/tiktok/video" in str(info.value) and "video_id" in str(info.value)
    assert info.value.code == "bad_request"
    assert simulator.stats()["requests"] == {"/api/v1/tiktok/video": 1}


def test_malformed_body_is_retried_once_then_raises(simulator, make_client):
    client = make_client(simulator)
    simulator.enqueue_faults([{"malformed": "no_data"}])
    assert client.profile(username="chef_lina")["unique_id"] == "chef_lina"
    simulator.enqueue_faults([{"malformed": "not_json"}, {"malformed": "truncated"}])
    with pytest.raises(MalformedResponseError) as info:
        client.hashtag(hashtag_name="cooking")
    assert "/api/v1/tiktok/hashtag" in str(info.value) and "not JSON" in str(info.value)
    assert simulator.stats()["requests"] == {PROFILE: 2, "/api/v1/tiktok/hashtag": 2}


def test_validation_spends_no_credit(simulator, make_client):
    client = make_client(simulator)
    for call in (lambda: client.search_videos("x" * 501), lambda: client.user_posts("s", count=31),
                 lambda: client.profile(), lambda: client.search_videos("ok", publish_time="2")):
        with pytest.raises(ValueError):
            call()
    assert simulator.stats()["requests"] == {} and simulator.stats()["charged"] == 0


def test_budget_guard_holds_under_concurrency(simulator, make_client):
    """cap 7, 8 concurrent streams each wanting many pages: exactly 7 credits charged."""
    client = make_client(simulator, credit_cap_per_run=7, max_concurrency=8)
    u = simulator.universe
    accounts = ["chef_lina", "urban_runner", "pixel_pets", "mega_star"] * 2
    results = list(client.map_concurrent(lambda a: sum(len(p.items) for p in client.user_followers(u.sec_uid_of(a))),
                                         accounts))
    assert len(results) == 8
    assert all(isinstance(r, BudgetExceededError) for _, r in results)
    assert simulator.stats()["charged"] == 7 == client.credits_spent
    err = results[0][1]
    assert (err.limit_name, err.limit) == ("run cap", 7) and "7 of 7" in str(err)


def test_budget_guard_with_raw_threads_on_single_calls(simulator, make_client):
    client = make_client(simulator, credit_cap_per_run=7, max_concurrency=8)
    barrier, outcomes, lock = threading.Barrier(8), [], threading.Lock()

    def worker() -> None:
        barrier.wait()
        try:
            client.profile(username="chef_lina")
            result = "ok"
        except BudgetExceededError:
            result = "refused"
        with lock:
            outcomes.append(result)

    run_threads(worker, 8)
    assert sorted(outcomes) == ["ok"] * 7 + ["refused"]
    assert simulator.stats()["charged"] == 7


def test_refunded_reservations_do_not_eat_the_cap(simulator, make_client):
    client = make_client(simulator, credit_cap_per_run=2)
    simulator.enqueue_faults([{"status": 502}, {"status": 429, "retry_after": 0}])
    client.profile(username="chef_lina")
    client.profile(username="pixel_pets")
    assert simulator.stats()["charged"] == 2 and simulator.stats()["requests"] == {PROFILE: 4}
    with pytest.raises(BudgetExceededError):
        client.profile(username="urban_runner")
    assert simulator.stats()["requests"] == {PROFILE: 4}


def test_stop_reason_reaches_other_streams(simulator, make_client):
    client = make_client(simulator, max_concurrency=2, api_key="sk_wrong_key_1111111111")
    results = dict(client.map_concurrent(lambda a: client.profile(username=a), ["chef_lina", "urban_runner",
                                                                                 "pixel_pets", "mega_star"]))
    assert all(isinstance(r, AuthError) for r in results.values())
    assert sum(simulator.stats()["requests"].values()) <= 2  # at most the two that were already in flight


def test_tags_reach_worker_threads(simulator, make_client):
    client = make_client(simulator, run_id="run-42", max_concurrency=3)

    def task(name: str) -> str:
        with client.tagged(entity=name):
            return client.profile(username=name)["unique_id"]

    with client.tagged(asset="profiles", partition="2026-11-24"):
        results = dict(client.map_concurrent(task, ["chef_lina", "urban_runner", "pixel_pets"]))
    assert results == {n: n for n in ("chef_lina", "urban_runner", "pixel_pets")}
    tags = sorted((e.asset, e.partition, e.entity, e.run_id) for e in client.ledger)
    assert tags == [("profiles", "2026-11-24", n, "run-42") for n in ("chef_lina", "pixel_pets", "urban_runner")]
    assert all(e.credits_remaining is not None and e.latency_ms >= 0 for e in client.ledger)


def test_client_adapts_to_server_rate_headers(simulator_factory, make_client):
    """Configured far too fast (1000/s) against a 3-per-second server: the headers keep it at zero 429s."""
    sim = simulator_factory(rate_limit=3, rate_window=1.0)
    client = make_client(sim, rate_limit=1000, rate_window_seconds=1.0)
    for name in ("chef_lina", "urban_runner", "pixel_pets") * 2:
        client.profile(username=name)
    assert sim.stats()["status"] == {200: 6}
    assert client.pacer.snapshot()["srv_limit"] == 3  # the server's X-RateLimit-Limit is the pace
    assert client.pacer.limit == 1000  # the configured number stays a ceiling, never a floor


def test_closing_map_concurrent_early_cancels_unstarted_tasks(simulator, make_client):
    client = make_client(simulator, max_concurrency=1)
    names = ["chef_lina", "urban_runner", "pixel_pets", "mega_star"] * 3
    results = client.map_concurrent(lambda n: client.profile(username=n)["unique_id"], names)
    assert next(results) == ("chef_lina", "chef_lina")
    results.close()
    assert sum(simulator.stats()["requests"].values()) <= 2  # the running task may finish; no more start
