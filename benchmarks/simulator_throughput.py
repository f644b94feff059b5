"""Throughput of the simulator on loopback: THREADS clients x REQUESTS keep-alive requests, mixed endpoints.

Why it matters: every test and benchmark pays the simulator's cost per request, so it must not be the
bottleneck (target >= 500 req/s at zero latency). Run: `python -m benchmarks.simulator_throughput`.
"""

from __future__ import annotations

import argparse
import secrets
import threading
import time

import httpx

from tiktok_assets.simulator import SimulatorConfig, SimulatorServer

P = "/api/v1/tiktok/"


def _requests(sim: SimulatorServer) -> list[tuple[str, dict]]:
    """A realistic mix: profiles, pages of posts/comments/followers, hashtag and search pages, details."""
    u = sim.universe
    accounts = list(u.GENERATED_ACCOUNTS[:20])
    mix: list[tuple[str, dict]] = []
    for i, acct in enumerate(accounts):
        sec = u.sec_uid_of(acct)
        video = u.posts_of(acct)[0]["aweme_id"]
        mix += [("profile", {"username": acct}), ("user/posts", {"sec_user_id": sec, "count": 30}),
                ("video", {"video_id": video}), ("video/comments", {"video_id": video, "count": 50}),
                ("user/followers", {"sec_user_id": sec, "count": 20})]
        tag = u.hashtag_id_of(u.HASHTAGS[i % 5])
        mix += [("hashtag", {"hashtag_id": tag}), ("hashtag/videos", {"hashtag_id": tag, "count": 30}),
                ("search/videos", {"keyword": u.KEYWORDS[i % 5], "count": 30})]
    return mix


def measure(threads: int = 4, requests: int = 1000) -> dict[str, float]:
    key = f"sk_bench_{secrets.token_hex(8)}"
    with SimulatorServer(SimulatorConfig(seed=42, api_key=key)) as sim:
        mix = _requests(sim)
        with httpx.Client(base_url=sim.url, headers={"Authorization": f"Bearer {key}"}) as warm:
            for endpoint, body in mix:  # warm the universe's caches; generation is not throughput
                assert warm.post(P + endpoint, json=body).status_code == 200
        errors: list[int] = []

        def worker(offset: int) -> None:
            with httpx.Client(base_url=sim.url, headers={"Authorization": f"Bearer {key}"}) as c:
                for i in range(requests):
                    endpoint, body = mix[(offset + i) % len(mix)]
                    r = c.post(P + endpoint, json=body)
                    if r.status_code != 200:
                        errors.append(r.status_code)

        pool = [threading.Thread(target=worker, args=(t * 37,)) for t in range(threads)]
        t0 = time.perf_counter()
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        elapsed = time.perf_counter() - t0
    total = threads * requests
    return {"requests": total, "seconds": elapsed, "req_per_s": total / elapsed, "errors": len(errors)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--requests", type=int, default=1000, help="requests per thread")
    args = ap.parse_args()
    res = measure(args.threads, args.requests)
    print(f"simulator throughput: {res['requests']} requests in {res['seconds']:.2f} s = "
          f"{res['req_per_s']:.0f} req/s ({args.threads} threads, keep-alive, mixed endpoints, "
          f"{res['errors']} errors)")


if __name__ == "__main__":
    main()
