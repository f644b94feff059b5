"""`tiktok-assets track|untrack accounts|hashtags|keywords NAME...`: edit tracked.yaml.

Why a command for a YAML edit: it validates names (non-empty, keywords 1-500 chars, ``@``/``#``
stripped), deduplicates, keeps the other kinds and the file's header comment, and writes atomically.
After tracking a new account, backfill only it with
``tiktok-assets materialize --date D1 --end-date D2 --entities NAME``.
"""

from __future__ import annotations

import argparse
import sys

from ..tracking import KINDS, TrackedFileError, track, tracked_path, tracked_url, untrack


def register(subparsers: argparse._SubParsersAction) -> None:
    for command, verb in (("track", "Add"), ("untrack", "Remove")):
        p = subparsers.add_parser(command, help=f"{verb} tracked accounts, hashtags or keywords (edits tracked.yaml)")
        p.add_argument("kind", choices=KINDS)
        p.add_argument("names", nargs="+", metavar="NAME")
        p.add_argument("--file", default=None, help="tracked file (default: $TIKTOK_TRACKED_FILE or ./tracked.yaml)")
        p.set_defaults(func=run, command=command)


def run(args: argparse.Namespace) -> int:
    action = track if args.command == "track" else untrack
    try:
        state, changed = action(args.kind, args.names, args.file)
    except (ValueError, TrackedFileError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    path = tracked_url(args.file) or tracked_path(args.file)
    verb = "tracked" if args.command == "track" else "untracked"
    unchanged = [n for n in args.names if n.strip().lstrip("@#") not in changed]
    print(f"{verb} {args.kind}: {', '.join(changed) if changed else '(no change)'}  [{path}]")
    if unchanged:
        what = "already tracked" if args.command == "track" else "not tracked"
        print(f"  {what}: {', '.join(unchanged)}")
    print(f"  now {len(state.of(args.kind))} {args.kind}: {', '.join(state.of(args.kind))}")
    return 0
