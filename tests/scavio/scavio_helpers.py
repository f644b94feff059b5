"""Helpers shared by the Scavio client tests."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def collect(pages) -> tuple[list[str], list[Any]]:
    """(ids in yield order, pages) of a stream run to exhaustion."""
    from tiktok_assets.scavio.endpoints import ENDPOINTS

    pages = list(pages)
    ids: list[str] = []
    for page in pages:
        spec = next(s for s in ENDPOINTS.values() if s.path == page.endpoint)
        ids += [spec.id_of(item) for item in page.items]
    return ids, pages


def run_threads(worker: Callable[[], None], n: int) -> None:
    """``worker`` in ``n`` threads at once; returns when every one has ended."""
    threads = [threading.Thread(target=worker) for _ in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
