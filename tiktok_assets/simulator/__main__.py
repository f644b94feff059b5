"""`python -m tiktok_assets.simulator [args]`: same arguments as `tiktok-assets simulator` (for subprocesses)."""

from __future__ import annotations

import argparse
import sys

from tiktok_assets.cli.simulator_cmd import add_arguments, run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tiktok_assets.simulator", description=__doc__.splitlines()[0])
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
