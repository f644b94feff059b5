"""The family runner (``assets/family_runner.py``): concurrency, dependency order, failure semantics,
and the client's one concurrency for the run (``scavio/requester.py``'s request slots)."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from dagster import Failure

from tiktok_assets.assets.family_runner import DEPENDENTS_MAY_START, run_concurrently

UPSTREAM = {"profiles": (), "followers": ("profiles",), "followings": ("profiles",), "search_users": (),
            "posts": ("profiles",), "comments": ("posts",), "comment_replies": ("comments",)}


def _run(names, bodies, performed=None):
    def body(name, deliver):
        return bodies[name](deliver)

    return run_concurrently(names, UPSTREAM, body, perform=lambda fn: fn(performed))


def test_independent_assets_overlap_and_dependents_wait_for_their_upstream() -> None:
    log: list[tuple[str, str, float]] = []

    def timed(name, seconds):
        def gen(_deliver):
            log.append((name, "start", time.perf_counter()))
            time.sleep(seconds)
            log.append((name, "end", time.perf_counter()))
            yield name
        return gen

    names = ["profiles", "followers", "followings", "search_users"]
    t0 = time.perf_counter()
    events = list(_run(names, {n: timed(n, 0.3) for n in names}))
    wall = time.perf_counter() - t0
    assert wall < 0.9, wall  # profiles + (followers | followings | search_users), not the sum (1.2 s)
    assert events.index("profiles") < events.index("followers") and events.index("profiles") < events.index("followings")
    at = {(n, k): t for n, k, t in log}
    assert at[("followers", "start")] >= at[("profiles", "end")]
    assert at[("search_users", "start")] < at[("profiles", "end")]  # no in-family upstream: starts at once


def test_an_upstream_not_selected_is_not_waited_for() -> None:
    events = list(_run(["followers"], {"followers": lambda _d: iter(["followers"])}))
    assert events == ["followers"]


def test_a_failure_skips_its_dependents_keeps_the_others_and_raises_the_first_failure() -> None:
    started: list[str] = []

    def ok(name, delay=0.0):
        def gen(_deliver):
            started.append(name)
            time.sleep(delay)
            yield name
        return gen

    def fails(_deliver):
        started.append("posts")
        yield "posts-partial"
        raise Failure(description="posts: 402")

    names = ["profiles", "search_users", "posts", "comments", "comment_replies"]
    events: list[str] = []
    with pytest.raises(Failure, match="posts: 402"):
        for event in _run(names, {"profiles": ok("profiles"), "search_users": ok("search_users", 0.3), "posts": fails,
                                  "comments": ok("comments"), "comment_replies": ok("comment_replies")}):
            events.append(event)
    assert "comments" not in started and "comment_replies" not in started  # dependents never start
    assert {"profiles", "search_users", "posts-partial"} <= set(events)  # the others' results are yielded first


def test_delivered_calls_run_on_the_consuming_thread_in_order_with_events() -> None:
    seen: list[tuple[str, str]] = []
    consumer = threading.current_thread().name

    def body(deliver):
        deliver(lambda ctx: seen.append(("call", threading.current_thread().name)))
        yield "result"

    for event in _run(["profiles"], {"profiles": body}):
        seen.append(("event", event))
    assert seen == [("call", consumer), ("event", "result")]


def test_requests_of_all_threads_share_max_concurrency_slots(tmp_path) -> None:
    """Several assets' pools in flight at once still send at most ``max_concurrency`` requests."""
    from tiktok_assets.scavio.client import ScavioClient

    lock, state = threading.Lock(), {"now": 0, "max": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.02)
        with lock:
            state["now"] -= 1
        return httpx.Response(200, json={"data": {"user": {"id": "1"}}, "credits_used": 1},
                              headers={"X-RateLimit-Limit": "100000", "X-RateLimit-Remaining": "99999"})

    client = ScavioClient("k" * 8, base_url="http://sim", max_concurrency=3, state_dir=tmp_path, rate_limit=100000,
                          transport=httpx.MockTransport(handler))
    try:
        def asset_pool(_):
            return [r for _, r in client.map_concurrent(lambda i: client.profile(username=f"u{i}"), range(12))]

        threads = [threading.Thread(target=asset_pool, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        client.close()
    assert state["max"] == 3
    assert client.credits_spent == 48 and all(e.http_status == 200 for e in client.ledger)


def test_after_runs_in_the_asset_thread_once_its_dependents_started_and_a_failing_after_blocks_none() -> None:
    """``after`` (an asset's table checks) follows its own events, overlaps its dependents' bodies,
    and an exception there fails the step at the end without stopping the dependents."""
    log: list[tuple[str, str]] = []
    lock = threading.Lock()

    def record(*entry: str) -> None:
        with lock:
            log.append(entry)

    def body(name, _deliver):
        record(name, "body")
        yield f"{name}:materialized"

    def after(name):
        if name == "profiles":
            time.sleep(0.3)  # long enough for posts (started once profiles' body ended) to finish first
            record(name, "after")
            yield "profiles:checked"
        elif name == "posts":
            raise RuntimeError("posts: lake unreadable")
        else:
            yield f"{name}:checked"

    notes: list[str] = []
    events: list[str] = []
    with pytest.raises(RuntimeError, match="posts: lake unreadable"):
        for event in run_concurrently(["profiles", "posts", "comments"], UPSTREAM, body, perform=lambda fn: fn(None),
                                      note=notes.append, after=after):
            events.append(event)
    assert events.index("profiles:materialized") < events.index("profiles:checked")
    assert log.index(("comments", "body")) < log.index(("profiles", "after"))  # checks overlapped the dependents
    assert "comments:materialized" in events and "comments:checked" in events  # posts' failed checks blocked nothing
    assert "posts:checked" not in events and notes == ["posts: its checks failed: posts: lake unreadable"]


def test_dependents_start_at_the_commit_signal_and_still_queue_after_their_upstream() -> None:
    """A dependent starts when its upstream yields DEPENDENTS_MAY_START (its data committed), before
    the upstream's body ends; the dependent's events still reach Dagster after all the upstream's, and
    a failure of the upstream after the signal fails the step without stopping the dependent."""
    log: list[str] = []
    lock = threading.Lock()

    def record(entry: str) -> None:
        with lock:
            log.append(entry)

    def posts(_deliver):
        yield "posts:re-observed day"
        yield DEPENDENTS_MAY_START
        time.sleep(0.3)  # its status row and partition counts, while comments already runs
        record("posts:reported")
        yield "posts:materialized"
        raise Failure(description="posts: status row not written")

    def comments(deliver):
        record("comments:start")
        deliver(lambda _ctx: record("comments:metadata performed"))
        yield "comments:materialized"

    events: list[str] = []
    with pytest.raises(Failure, match="status row not written"):
        for event in run_concurrently(["posts", "comments"], UPSTREAM, lambda n, d: {"posts": posts, "comments": comments}[n](d),
                                      perform=lambda fn: fn(None)):
            events.append(event)
    assert log.index("comments:start") < log.index("posts:reported")  # started at the signal
    assert events == ["posts:re-observed day", "posts:materialized", "comments:materialized"]  # the signal is not an event
    assert log.index("comments:metadata performed") > log.index("posts:reported")  # queued after posts ended



class Interrupted(BaseException):
    """What Dagster raises in the step's thread on Ctrl-C or termination (``DagsterExecutionInterruptedError``)."""


def _interrupted_run(flush_seconds: float, grace: float) -> tuple[list[str], float]:
    """Two threads wait (a rate-limit wait, until ``interrupt()`` wakes them); the step's thread is
    interrupted while it performs a delivered call. Each thread's ``finally`` (its ledger export) takes
    ``flush_seconds``. Returns what was flushed when the step raised, and how long it took to raise."""
    woken = threading.Event()
    flushed: list[str] = []

    def waiting(name):
        def gen(deliver):
            try:
                if name == "profiles":
                    deliver("the interrupt arrives here")
                woken.wait(30)
                raise RuntimeError(f"{name}: interrupted")
                yield name
            finally:
                time.sleep(flush_seconds)
                flushed.append(name)
        return gen

    bodies = {n: waiting(n) for n in ("profiles", "search_users")}
    started = time.monotonic()

    def perform(_payload):
        time.sleep(0.1)  # both threads are waiting now
        raise Interrupted

    steps = run_concurrently(list(bodies), UPSTREAM, lambda n, d: bodies[n](d), perform=perform,
                             interrupt=woken.set, grace=grace)
    with pytest.raises(Interrupted):
        list(steps)
    return sorted(flushed), time.monotonic() - started


def test_an_interrupted_step_waits_for_its_threads_ledger_exports_within_the_grace() -> None:
    """Daemon threads die with the process: without the wait, a Ctrl-C'd CLI could exit before a
    thread's ``finally`` wrote the ledger (seen 1 run in 6)."""
    flushed, took = _interrupted_run(flush_seconds=0.3, grace=5.0)
    assert flushed == ["profiles", "search_users"]
    assert took < 2.0, took  # woken at once: the wait is the exports' 0.3 s, not the grace


def test_an_export_that_hangs_costs_the_grace_not_more() -> None:
    flushed, took = _interrupted_run(flush_seconds=3.0, grace=0.5)
    assert flushed == []
    assert 0.5 < took < 2.0, took
