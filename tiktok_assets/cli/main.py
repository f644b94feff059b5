"""`tiktok-assets` console script: a thin dispatcher.

Why lazy imports: each subcommand lives in its own module with a ``register(subparsers)`` function,
and only the chosen one is imported, so `tiktok-assets simulator` starts without loading Dagster.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# command name -> module under tiktok_assets.cli exposing register(subparsers) and run(args) -> int
COMMANDS: dict[str, str] = {
    "simulator": "simulator_cmd",
    "track": "tracking_cmd",
    "untrack": "tracking_cmd",
    "materialize": "materialize_cmd",
    "estimate": "estimate_cmd",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tiktok-assets", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    seen: set[str] = set()
    for name, module_name in COMMANDS.items():
        if module_name in seen or (only is not None and COMMANDS.get(only) != module_name):
            continue
        seen.add(module_name)
        try:
            module = importlib.import_module(f"tiktok_assets.cli.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tiktok_assets.cli.{module_name}":
                raise
            continue  # command not built yet in this checkout
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    first = next((a for a in argv if not a.startswith("-")), None)
    parser = build_parser(only=first if first in COMMANDS else None)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
