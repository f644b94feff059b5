"""Validation, auth, credits, not-found, rate limits and injected faults, over raw HTTP."""

from __future__ import annotations

import email.utils
import time

import httpx
import pytest
from sim_http import P

from tests.windows import clear_of_window_boundary
from tiktok_assets.simulator import DELETED_ACCOUNT, PRIVATE_ACCOUNT

SEC = "MS4wLjABAAAA" + "x" * 40


@pytest.mark.parametrize(("endpoint", "body", "param"), [
    ("profile", {}, "username"),
    ("profile", {"username": "chef_lina", "sec_user_id": SEC}, "sec_user_id"),
    ("user/posts", {}, "sec_user_id"),
    ("user/posts", {"sec_user_id": SEC, "count": 31}, "count"),
    ("user/posts", {"sec_user_id": SEC, "count": 0}, "count"),
    ("user/posts", {"sec_user_id": SEC, "sort_type": "2"}, "sort_type"),
    ("user/posts", {"sec_user_id": SEC, "cursor": "abc"}, "cursor"),
    ("video", {}, "video_id"),
    ("video", {"video_id": "12ab"}, "video_id"),
    ("video/comments", {"video_id": "7000000000000000002", "count": 51}, "count"),
    ("video/comments/replies", {"video_id": "7000000000000000002"}, "comment_id"),
    ("search/videos", {"keyword": ""}, "keyword"),
    ("search/videos", {"keyword": "k" * 501}, "keyword"),
    ("search/videos", {"keyword": "ok", "publish_time": "2"}, "publish_time"),
    ("search/videos", {"keyword": "ok", "sort_type": "x"}, "sort_type"),
    ("search/users", {"keyword": "ok", "count": 40}, "count"),
    ("hashtag", {}, "hashtag_name"),
    ("hashtag", {"hashtag_name": "fyp", "hashtag_id": "1"}, "hashtag_id"),
    ("hashtag/videos", {}, "hashtag_id"),
    ("user/followers", {"sec_user_id": SEC, "count": 21}, "count"),
    ("user/followings", {}, "sec_user_id"),
])
def test_validation_names_the_parameter(simulator, client, endpoint: str, body: dict, param: str) -> None:
    r = client.post(P + endpoint, json=body)
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "bad_request" and param in err["message"]
    assert simulator.stats()["charged"] == 0


def test_body_must_be_json(client) -> None:
    r = client.post(P + "profile", content=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "JSON" in r.json()["error"]["message"]


def test_auth(simulator, client_for, api_key) -> None:
    for c in (client_for(simulator, None), client_for(simulator, "sk_test_wrong")):
        r = c.post(P + "profile", json={"username": "chef_lina"})
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
        assert "x-ratelimit-limit" in r.headers and "sk_test_wrong" not in r.text
    stats = simulator.stats()
    assert stats["status"] == {401: 2} and stats["charged"] == 0
    assert api_key not in repr(simulator.config) and api_key not in str(stats)


def test_not_found_and_private(simulator, client) -> None:
    u = simulator.universe
    gone = u.sec_uid_of(DELETED_ACCOUNT)
    assert client.post(P + "profile", json={"username": DELETED_ACCOUNT}).status_code == 404
    for endpoint in ("profile", "user/posts", "user/followers", "user/followings"):
        r = client.post(P + endpoint, json={"sec_user_id": gone})
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found", endpoint
    assert client.post(P + "video", json={"video_id": "1234567890123456789"}).status_code == 404
    assert client.post(P + "hashtag", json={"hashtag_name": "no_such_tag_zz"}).status_code == 404
    assert client.post(P + "nope", json={}).status_code == 404
    quiet = u.sec_uid_of(PRIVATE_ACCOUNT)
    assert client.post(P + "profile", json={"username": PRIVATE_ACCOUNT}).json()["data"]["user"]["secret"] == 1
    posts = client.post(P + "user/posts", json={"sec_user_id": quiet}).json()["data"]
    assert posts["aweme_list"] == [] and posts["has_more"] == 0
    followers = client.post(P + "user/followers", json={"sec_user_id": quiet}).json()["data"]
    assert followers["followers"] == [] and followers["has_more"] is False
    assert simulator.stats()["charged"] == 3


def test_credits_run_out_with_402(simulator_factory, client_for) -> None:
    sim = simulator_factory(initial_credits=2)
    c = client_for(sim)
    bodies = [c.post(P + "profile", json={"username": "chef_lina"}) for _ in range(3)]
    assert [b.status_code for b in bodies] == [200, 200, 402]
    assert [b.json().get("credits_remaining") for b in bodies[:2]] == [1, 0]
    err = bodies[2].json()["error"]
    assert err["code"] == "insufficient_credits" and err["message"].startswith("Insufficient credits: balance is 0")
    assert sim.stats()["charged"] == 2 and sim.stats()["credits_remaining"] == 0


def test_rate_limit_headers_and_429(simulator_factory, client_for) -> None:
    clear_of_window_boundary(3600.0)
    sim = simulator_factory(rate_limit=3, rate_window=3600.0)
    c = client_for(sim)
    rs = [c.post(P + "profile", json={"username": "chef_lina"}) for _ in range(4)]
    assert {r.headers["x-ratelimit-reset"] for r in rs} == {rs[0].headers["x-ratelimit-reset"]}
    assert [r.status_code for r in rs] == [200, 200, 200, 429]
    assert [r.headers["x-ratelimit-remaining"] for r in rs] == ["2", "1", "0", "0"]
    assert all(r.headers["x-ratelimit-limit"] == "3" for r in rs)
    reset = float(rs[0].headers["x-ratelimit-reset"])
    assert reset % 3600 == 0 and 0 < reset - time.time() <= 3600
    err = rs[3].json()["error"]
    assert err["code"] == "rate_limit_exceeded" and err["message"].startswith("Rate limit exceeded. Retry after ")
    assert int(rs[3].headers["retry-after"]) == pytest.approx(reset - time.time(), abs=2)
    assert sim.stats()["charged"] == 3 and sim.stats()["status"][429] == 1


@pytest.mark.parametrize("mode", ["http-date", "none"])
def test_retry_after_modes(simulator_factory, client_for, mode: str) -> None:
    clear_of_window_boundary(3600.0)
    sim = simulator_factory(rate_limit=1, rate_window=3600.0, retry_after=mode)
    c = client_for(sim)
    c.post(P + "profile", json={"username": "chef_lina"})
    r = c.post(P + "profile", json={"username": "chef_lina"})
    assert r.status_code == 429 and "x-ratelimit-reset" in r.headers
    if mode == "none":
        assert "retry-after" not in r.headers
    else:
        when = email.utils.parsedate_to_datetime(r.headers["retry-after"]).timestamp()
        assert when == pytest.approx(float(r.headers["x-ratelimit-reset"]), abs=1)


def test_sub_second_window_has_fractional_reset(simulator_factory, client_for) -> None:
    sim = simulator_factory(rate_limit=1000, rate_window=0.5)
    sent = time.time()
    r = client_for(sim).post(P + "profile", json={"username": "chef_lina"})
    received = time.time()
    reset = float(r.headers["x-ratelimit-reset"])
    # the end of the 0.5 s window the request was served in: after it was sent, at most a window
    # after its answer arrived (bounds taken around the request, so a slow machine can't race them)
    assert reset % 0.5 == 0 and sent < reset <= received + 0.5


def test_limit_belongs_to_the_key(simulator_factory, client_for) -> None:
    sim = simulator_factory(rate_limit=2, rate_window=3600.0)
    a, b = client_for(sim), client_for(sim)  # two connections, same key: one budget
    codes = [c.post(P + "profile", json={"username": "chef_lina"}).status_code for c in (a, b, a, b)]
    assert codes.count(429) == 2 or len({r[0] // 3600 for r in sim.request_log}) > 1


def test_scripted_faults_in_order(simulator, client) -> None:
    simulator.enqueue_faults([{"status": 429, "retry_after": 1}, {"status": 502}, {"malformed": "not_json"},
                              {"malformed": "no_data"}, {"status": 429, "retry_after": None, "reset_in": 0.5}])
    rs, around = [], []  # each answer with the clock read just before it was sent and just after it arrived
    for _ in range(6):
        sent = time.time()
        rs.append(client.post(P + "profile", json={"username": "chef_lina"}))
        around.append((sent, time.time()))
    assert [r.status_code for r in rs] == [429, 502, 200, 200, 429, 200]
    assert rs[0].headers["retry-after"] == "1" and rs[0].headers["x-ratelimit-remaining"] == "0"
    assert rs[1].json()["error"]["code"] == "bad_gateway"
    with pytest.raises(ValueError):
        rs[2].json()
    assert "data" not in rs[3].json()
    assert "retry-after" not in rs[4].headers
    # reset_in 0.5: half a second after the server served it, so within the bounds taken around that request
    # (not against the clock after all six: a busy machine can take longer than the tolerance in between)
    sent, received = around[4]
    assert sent + 0.5 - 0.001 <= float(rs[4].headers["x-ratelimit-reset"]) <= received + 0.5 + 0.001
    assert rs[5].json()["data"]["user"]["unique_id"] == "chef_lina"
    stats = simulator.stats()
    assert stats["charged"] == 1 and stats["status"] == {429: 2, 502: 1, 200: 3}
    assert [e[2] for e in simulator.request_log] == [429, 502, 200, 200, 429, 200]


def test_disconnect_and_delay_faults(simulator, client) -> None:
    simulator.enqueue_faults([{"disconnect": True}, {"delay_ms": 50}])
    with pytest.raises(httpx.RemoteProtocolError):
        client.post(P + "profile", json={"username": "chef_lina"})
    assert client.post(P + "profile", json={"username": "chef_lina"}).status_code == 200


def test_random_faults_follow_the_rates(simulator_factory, client_for) -> None:
    sim = simulator_factory(rate_502=1.0)
    assert client_for(sim).post(P + "profile", json={"username": "chef_lina"}).status_code == 502
    sim = simulator_factory(rate_429=1.0)
    r = client_for(sim).post(P + "profile", json={"username": "chef_lina"})
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    sim = simulator_factory(malformed_rate=0.5, seed=3)
    c = client_for(sim)
    codes = {"json": 0, "bad": 0}
    for _ in range(40):
        r = c.post(P + "profile", json={"username": "chef_lina"})
        try:
            codes["json" if "data" in r.json() else "bad"] += 1
        except ValueError:
            codes["bad"] += 1
    assert codes["bad"] > 5 and codes["json"] > 5 and sim.stats()["charged"] == codes["json"]


def test_latency_is_applied(simulator_factory, client_for) -> None:
    sim = simulator_factory(latency_ms=30.0)
    r = client_for(sim).post(P + "profile", json={"username": "chef_lina"})
    assert r.json()["response_time"] >= 30
