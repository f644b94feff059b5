"""Look at the product in a real browser: the asset graph, an asset's metadata, the backfills page.

Not part of ``make test`` (it needs Debian's ``chromium`` and the ``playwright`` package, and its
output is for a person to look at). Run it against a UI that is up, or let it start ``make dev``'s
server on a free port in the current folder (so the demo's runs and data show)::

    apt-get install -y --no-install-recommends chromium fonts-dejavu-core
    .venv/bin/pip install playwright==1.65.2          # the Python package only; its browser download is not used
    make demo                                         # something to look at
    .venv/bin/python -m tests.ui.browser_walkthrough --out ui-screenshots [--url http://127.0.0.1:3000]

Screenshots land in ``--out``: ``1-asset-graph.png``, ``2-posts-overview.png`` (metadata plots, row
counts), ``3-posts-partitions.png``, ``4-profiles-columns.png``, ``5-backfills.png`` and ``6-posts-checks.png`` (its four checks).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tests.ui.webserver import Server, free_port, gql, location_status

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PAGES = [
    ("1-asset-graph", "/asset-groups"),
    ("2-posts-overview", "/assets/tiktok/posts"),
    ("3-posts-partitions", "/assets/tiktok/posts?view=partitions"),
    ("4-profiles-columns", "/assets/tiktok/profiles?view=definition"),
    ("5-backfills", "/runs?tab=backfills"),
    ("6-posts-checks", "/assets/tiktok/posts?view=checks"),
]


@contextlib.contextmanager
def ui(url: str | None, workdir: Path) -> Iterator[str]:
    if url:
        yield url.rstrip("/")
        return
    port = free_port()
    # env=None: inherit this environment, as `make dev` would
    server = Server([sys.executable, "-m", "tiktok_assets.devserver", "-h", "127.0.0.1", "-p", str(port)],
                    None, workdir, port, workdir / "browser-walkthrough-dev.log").start()
    try:
        server.wait_for(location_status, timeout=180)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None, help="a running Dagster UI (default: start make dev's server)")
    parser.add_argument("--out", default="ui-screenshots", help="folder for the screenshots")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with ui(args.url, Path.cwd()) as base:
        port = int(base.rsplit(":", 1)[1])
        gql(port, "mutation { setNuxSeen }")  # the first-visit pop-up, dismissed for good
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 950})
            for name, path in PAGES:
                page.goto(base + path, wait_until="networkidle", timeout=60_000)
                time.sleep(2)  # the graph lays itself out after the network is idle
                page.screenshot(path=str(out / f"{name}.png"), full_page=False)
                print(out / f"{name}.png")
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
