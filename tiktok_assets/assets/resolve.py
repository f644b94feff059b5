"""sec_uid / hashtag id resolution, at most one API call per name per run.

Why: most endpoints need a ``sec_user_id`` or ``hashtag_id`` that only the profile / hashtag endpoint
returns. The ids are stable, so the latest ``profiles`` / ``hashtags`` rows in the lake answer for
free; otherwise one call is made and remembered for the rest of the run on the run's client
(``client.run_memo``: every asset of a run shares one client, and the memo ends with it), so posts,
followers, followings and comments never repeat the profile request in one run. The snapshot assets
``profiles``/``hashtags`` also ``remember`` what they just fetched.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow.compute as pc

if TYPE_CHECKING:
    from .asset_run import AssetRun


def remember(run: AssetRun, kind: str, name: str, value: str | None) -> None:
    if value:
        run.client.run_memo[(kind, name)] = str(value)


def known_from_lake(run: AssetRun, table: str, key: str, column: str) -> str | None:
    """The latest non-null ``column`` the lake recorded for tracked ``key`` (no API call)."""
    return _latest_from_lake(run, table, key, column)


def _latest_from_lake(run: AssetRun, table: str, key: str, column: str) -> str | None:
    rows = run.lake.read(table, keys=[key], columns=[column, "captured_at"])
    if rows.num_rows == 0:
        return None
    rows = rows.filter(pc.is_valid(rows[column]))
    if rows.num_rows == 0:
        return None
    latest = rows.sort_by([("captured_at", "descending")]).slice(0, 1)
    return latest[column][0].as_py()


def sec_uid(run: AssetRun, account: str) -> str:
    cache = run.client.run_memo
    if ("account", account) in cache:
        return cache[("account", account)]
    value = _latest_from_lake(run, "profiles", account, "sec_uid")
    if value is None:
        value = run.client.profile(username=account).get("sec_uid")
        if not value:
            raise ValueError(f"profile of {account!r} has no sec_uid")
    cache[("account", account)] = value
    return value


def hashtag_id(run: AssetRun, name: str) -> str:
    cache = run.client.run_memo
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
