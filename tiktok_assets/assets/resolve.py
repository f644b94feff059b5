"""sec_uid / hashtag id resolution, at most one API call per name per run.

Why: most endpoints need a ``sec_user_id`` or ``hashtag_id`` that only the profile / hashtag endpoint
returns. The ids are stable, so the latest ``profiles`` / ``hashtags`` rows in the lake answer for
free; otherwise one call is made and remembered for the rest of the run (keyed by run id), so
posts, followers, followings and comments never repeat the profile request in one run. The
snapshot assets ``profiles``/``hashtags`` also ``remember`` what they just fetched.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

import pyarrow.compute as pc

_LOCK = threading.Lock()
_CACHE: OrderedDict[str, dict[tuple[str, str], str]] = OrderedDict()
_MAX_RUNS = 16


def _run_cache(run_id: str) -> dict[tuple[str, str], str]:
    with _LOCK:
        cache = _CACHE.setdefault(run_id, {})
        _CACHE.move_to_end(run_id)
        while len(_CACHE) > _MAX_RUNS:
            _CACHE.popitem(last=False)
        return cache


def remember(run: Any, kind: str, name: str, value: str | None) -> None:
    if value:
        _run_cache(run.context.run_id)[(kind, name)] = str(value)


def known_from_lake(run: Any, table: str, key: str, column: str) -> str | None:
    """The latest non-null ``column`` the lake recorded for tracked ``key`` (no API call)."""
    return _latest_from_lake(run, table, key, column)


def _latest_from_lake(run: Any, table: str, key: str, column: str) -> str | None:
    rows = run.lake.read(table, keys=[key], columns=[column, "captured_at"])
    if rows.num_rows == 0:
        return None
    rows = rows.filter(pc.is_valid(rows[column]))
    if rows.num_rows == 0:
        return None
    latest = rows.sort_by([("captured_at", "descending")]).slice(0, 1)
    return latest[column][0].as_py()


def sec_uid(run: Any, account: str) -> str:
    cache = _run_cache(run.context.run_id)
    if ("account", account) in cache:
        return cache[("account", account)]
    value = _latest_from_lake(run, "profiles", account, "sec_uid")
    if value is None:
        value = run.client.profile(username=account).get("sec_uid")
        if not value:
            raise ValueError(f"profile of {account!r} has no sec_uid")
    cache[("account", account)] = value
    return value


def hashtag_id(run: Any, name: str) -> str:
    cache = _run_cache(run.context.run_id)
    if ("hashtag", name) in cache:
        return cache[("hashtag", name)]
    value = _latest_from_lake(run, "hashtags", name, "hashtag_id")
    if value is None:
        info = run.client.hashtag(hashtag_name=name)
        value = (info.get("challenge") or {}).get("id")
        if not value:
            raise ValueError(f"hashtag {name!r} has no challenge.id")
    cache[("hashtag", name)] = str(value)
    return str(value)
