"""`tiktok-assets simulator`: run the local Scavio simulator until SIGINT/SIGTERM.

Why the key comes from --api-key or SCAVIO_API_KEY and is never printed: the same shell history and CI
logs that show this command's output must not show a key, even a test one.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from tiktok_assets import settings


def add_arguments(p: argparse.ArgumentParser) -> None:
    from tiktok_assets.simulator.config import (ALL_QUIRKS, LIST_ORDERS, RATE_WINDOW_KINDS, RETRY_AFTER_MODES,
                                                SEEDED_CURSOR_MODES)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port (printed)")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--api-key", default=None, help=f"accepted Bearer key (default: ${settings.SCAVIO_API_KEY})")
    p.add_argument("--credits", type=int, default=1_000_000, help="initial credit balance")
    p.add_argument("--rate-limit", type=int, default=None, help="requests per window per key (default: none)")
    p.add_argument("--rate-window", type=float, default=60.0, help="window length in seconds")
    p.add_argument("--announced-rate-limit", type=int, default=None,
                   help="X-RateLimit-Limit to announce when it should differ from --rate-limit (default: the same)")
    p.add_argument("--rate-window-kind", choices=RATE_WINDOW_KINDS, default=RATE_WINDOW_KINDS[0],
                   help="fixed windows, or a sliding one whose X-RateLimit-Reset frees one slot (default: fixed)")
    p.add_argument("--retry-after", choices=RETRY_AFTER_MODES, default="seconds")
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--jitter-ms", type=float, default=0.0)
    p.add_argument("--rate-429", type=float, default=0.0, help="fraction of requests answered 429")
    p.add_argument("--rate-502", type=float, default=0.0, help="fraction of requests answered 502")
    p.add_argument("--malformed-rate", type=float, default=0.0, help="fraction of malformed 200 answers")
    p.add_argument("--no-quirk", action="append", default=[], choices=sorted(ALL_QUIRKS), metavar="NAME",
                   help=f"disable one quirk (repeatable): {', '.join(sorted(ALL_QUIRKS))}")
    p.add_argument("--no-quirks", action="store_true", help="disable all quirks (clean streams)")
    p.add_argument("--accounts", type=int, default=40, help="number of generated creator accounts")
    p.add_argument("--mega-comments", type=int, default=0, help="comments on the mega video (0 = no mega video)")
    p.add_argument("--now", type=float, default=None, help="unix time anchoring all timestamps (default: now)")
    for name, allowed in LIST_ORDERS.items():  # where the reference promises no order
        p.add_argument("--" + name.replace("_", "-"), choices=allowed, default=allowed[0],
                       help=f"served order (default {allowed[0]})")
    p.add_argument("--posts-seeded-cursor", choices=SEEDED_CURSOR_MODES, default=SEEDED_CURSOR_MODES[0],
                   help="user/posts: honour a cursor the server never issued, or ignore it and start over")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("simulator", help="run the local Scavio TikTok API simulator")
    add_arguments(p)
    p.set_defaults(func=run)


def config_from_args(args: argparse.Namespace):
    from tiktok_assets.simulator import ALL_QUIRKS, SimulatorConfig
    key = args.api_key or settings.env(settings.SCAVIO_API_KEY)
    if not key:
        raise SystemExit(f"simulator: no API key; pass --api-key or set {settings.SCAVIO_API_KEY}")
    quirks = frozenset() if args.no_quirks else ALL_QUIRKS - set(args.no_quirk)
    return SimulatorConfig(
        seed=args.seed, api_key=key, host=args.host, port=args.port, now=args.now, initial_credits=args.credits,
        rate_limit=args.rate_limit, rate_window=args.rate_window, announced_rate_limit=args.announced_rate_limit,
        rate_window_kind=args.rate_window_kind, retry_after=args.retry_after,
        latency_ms=args.latency_ms, latency_jitter_ms=args.jitter_ms, rate_429=args.rate_429,
        rate_502=args.rate_502, malformed_rate=args.malformed_rate, quirks=quirks,
        n_generated_accounts=args.accounts, mega_comments=args.mega_comments,
        hashtag_video_order=args.hashtag_video_order, search_video_order=args.search_video_order,
        comment_order=args.comment_order, reply_order=args.reply_order, posts_seeded_cursor=args.posts_seeded_cursor)


def run(args: argparse.Namespace) -> int:
    from tiktok_assets.simulator import SimulatorServer
    try:
        cfg = config_from_args(args)
    except ValueError as exc:
        print(f"simulator: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    with SimulatorServer(cfg) as sim:
        print(f"Scavio simulator listening on {sim.url} (seed {cfg.seed}, quirks: "
              f"{', '.join(sorted(cfg.quirks)) or 'none'})", flush=True)
        stop.wait()
    print("Scavio simulator stopped", flush=True)
    return 0
