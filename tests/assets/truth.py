"""Expected lake contents computed from the simulator's universe (the source of truth it serves)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tiktok_assets.assets.windows import Window, utc_day


def ids(items: Any, key: str = "aweme_id") -> set[str]:
    return {str(i[key]) for i in items}


def in_window(items: Any, window: Window) -> list[dict[str, Any]]:
    return [i for i in items if (d := utc_day(i.get("create_time"))) is not None and window.contains(d)]


def posts_in(universe: Any, account: str, window: Window) -> set[str]:
    return ids(in_window(universe.posts_of(account), window))


def one_pass_pages(universe: Any, account: str, window: Window, count: int = 30) -> int:
    """Pages of a newest-first user/posts pass (no stream quirks) that stops after the page holding
    the first post older than the window start (or at the end of the stream)."""
    posts = sorted(universe.posts_of(account), key=lambda p: int(p["create_time"]), reverse=True)
    total = len(posts)
    if total == 0:
        return 1
    k = next((i for i, p in enumerate(posts) if utc_day(p["create_time"]) < window.start), total)
    full = -(-total // count)
    return min(full, k // count + 1)


def lake_ids(lake: Any, table: str, day: date | None = None, key: str | None = None, col: str = "aweme_id") -> list[str]:
    t = lake.read(table, dates=[day] if day else None, keys=[key] if key else None, columns=[col])
    return t[col].to_pylist()
