"""Helpers shared by the Scavio client tests."""

from __future__ import annotations

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
