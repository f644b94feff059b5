"""sec_uid / hashtag id resolution, at most one API call per name per run.

Why: most endpoints need a ``sec_user_id`` or ``hashtag_id`` that only the profile / hashtag endpoint
returns. The ids are stable, so the latest ``profiles`` / ``hashtags`` rows in the lake answer for
free; otherwise one call is made and remembered for the rest of the run on the run's client
(``client.run_memo``: every asset of a run shares one client, and the memo ends with it), so posts,
followers, followings and comments never repeat the profile request in one run. The snapshot assets
``profiles``/``hashtags`` (:func:`capture_each`) also remember what they just fetched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pyarrow.compute as pc

from .fanout import EntityOutcome, fan_out
from .sink import DaySink

if TYPE_CHECKING:
    from .asset_run import AssetRun

# kind -> the id an API object of that kind carries: a profile's sec_uid, a hashtag's challenge.id
ID_OF: dict[str, Callable[[dict[str, Any]], Any]] = {
    "account": lambda user: user.get("sec_uid"),
    "hashtag": lambda info: (info.get("challenge") or {}).get("id"),
}


def capture_each(run: AssetRun, kind: str, fetch: Callable[[str, EntityOutcome], dict[str, Any]]) -> list[EntityOutcome]:
    """A snapshot of one API object per selected entity of ``kind`` ("account": its profile,
    "hashtag": its details), filed under the capture day; its id is remembered for the run."""
    def work(name: str, outcome: EntityOutcome) -> None:
        obj = fetch(name, outcome)
        value = ID_OF[kind](obj)
        if value:
            run.client.run_memo[(kind, name)] = str(value)
        with DaySink(run, name, outcome) as sink:
            sink.add([obj], day=run.window.start)

    return fan_out(run, run.select(f"{kind}s"), work)


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


def _resolve(run: AssetRun, kind: str, name: str, table: str, column: str, fetch: Callable[[], Any], what: str) -> str:
    """The memo of the run, else the lake's latest capture, else one API call (then memoized)."""
    memo = run.client.run_memo
    if (kind, name) not in memo:
        value = _latest_from_lake(run, table, name, column) or fetch()
        if not value:
            raise ValueError(f"{kind} {name!r} has no {what}")
        memo[(kind, name)] = str(value)
    return memo[(kind, name)]


def sec_uid(run: AssetRun, account: str) -> str:
    return _resolve(run, "account", account, "profiles", "sec_uid",
                    lambda: ID_OF["account"](run.client.profile(username=account)), "sec_uid in its profile")


def hashtag_id(run: AssetRun, name: str) -> str:
    return _resolve(run, "hashtag", name, "hashtags", "hashtag_id",
                    lambda: ID_OF["hashtag"](run.client.hashtag(hashtag_name=name)), "challenge.id")
