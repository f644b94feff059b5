"""Pre-flight credit estimate per asset, from the ledger's page history or documented defaults.

Model, per (asset, entity):

* **event assets** (posts, videos, comments, comment_replies, search_videos) cost
  ``overhead + per_day * days``. One run covers a whole date range with one pass per entity, so a
  fixed part (``overhead``: for posts, the page that crosses the window start; the only stream that
  stops on time) is paid once per run, not once per day. From history: ``per_day = (credits - overhead) / days covered`` of each past
  run (days parsed from the ledger's ``partition`` tag, ``D`` or ``D1..D2``); the median over runs.
* **snapshot assets** (profiles, hashtags, hashtag_videos, search_users, followers, followings)
  capture only today's state, so a range costs one capture: the median credits per run.
  ``hashtag_videos`` reads a fixed depth of each hashtag's feed (the asset's ``max_pages``, default
  :data:`~tiktok_assets.assets.hashtags.HASHTAG_FEED_MAX_PAGES`), never fewer pages because of dates.

An entity without history of its own uses the median of the asset's other entities; an asset without
any history uses :data:`DEFAULTS` (credits per entity, per day for event assets):

=================  ==========  ========  ==========================================================
asset              entity      default   why
=================  ==========  ========  ==========================================================
profiles           account     1         one /profile call
hashtags           hashtag     1         one /hashtag call
search_users       keyword     1         first page of 30 users
followers          account     10        10 pages of 20 (the asset's usual page cap)
followings         account     10        10 pages of 20
posts              account     1/day+1   ceil(~30 posts/day / 30 per page) + the boundary page
hashtag_videos     hashtag     10        max_pages (default 10) pages of 30: the feed to that depth
search_videos      keyword     1/day+1   one page of 30 per day + the boundary page
videos             source      5/day     one /video per newly discovered video (~5/day/source)
comments           account     3/day     top 3 new videos x one page of 50 comments
comment_replies    account     3/day     top 3 comments x one page of 50 replies
=================  ==========  ========  ==========================================================

The estimate is a budget gate, not an invoice: it errs high (median, rounded up per entity).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from ..catalog import EVENT_NAMES
from ..lake.schemas import API_TABLES, ENTITY_KIND
from ..tracking import Tracked, load_tracked
from .settings import BudgetSettings, utc_now
from .usage import BudgetStatus, read_ledger, status_from_lake

EVENT_ASSETS = frozenset(EVENT_NAMES)
SNAPSHOT_ASSETS = frozenset(API_TABLES) - EVENT_ASSETS
# asset -> (per-day or per-run credits per entity, once-per-run overhead)
DEFAULTS: dict[str, tuple[float, int]] = {
    "profiles": (1, 0), "hashtags": (1, 0), "search_users": (1, 0), "followers": (10, 0), "followings": (10, 0),
    "hashtag_videos": (0, 0),  # rate: default_rate(), the asset's default max_pages
    "posts": (1, 1), "search_videos": (1, 1),
    "videos": (5, 0), "comments": (3, 0), "comment_replies": (3, 0),
}
OVERHEAD = {asset: overhead for asset, (_, overhead) in DEFAULTS.items()}
HISTORY_DAYS = 35  # how far back the ledger is read for page history
_KIND_TO_TRACKED = {"account": ("accounts",), "hashtag": ("hashtags",), "keyword": ("keywords",),
                    "source": ("accounts", "hashtags", "keywords")}


def window_days(partition: str | None) -> int:
    """Days covered by a ledger ``partition`` tag: ``2026-11-20`` -> 1, ``2026-11-20..2026-11-22`` -> 3."""
    if not partition:
        return 1
    try:
        if ".." in partition:
            start, end = (date.fromisoformat(p.strip()) for p in partition.split("..", 1))
            return max((end - start).days + 1, 1)
        date.fromisoformat(partition.strip())
        return 1
    except ValueError:
        return 1


def entity_name(entity: str | None) -> str | None:
    """Ledger entities may be ``kind:name`` (videos' sources); compare on the name."""
    if entity and ":" in entity and entity.split(":", 1)[0] in ("account", "hashtag", "keyword"):
        return entity.split(":", 1)[1]
    return entity


def entities_for(asset: str, tracked: Tracked) -> list[str]:
    kinds = _KIND_TO_TRACKED[ENTITY_KIND[asset]]
    return list(dict.fromkeys(name for kind in kinds for name in tracked.of(kind)))


def history_rates(lake, *, today: date, assets: Iterable[str] | None = None,
                  history_days: int = HISTORY_DAYS) -> dict[str, dict[str, float]]:
    """``asset -> entity -> median per-day (event) or per-run (snapshot) credits`` from the ledger."""
    days = [today - timedelta(days=i) for i in range(history_days + 1)]
    table = read_ledger(lake, days, columns=["run_id", "asset", "partition", "entity", "credits_used"])
    if table.num_rows == 0:
        return {}
    grouped = table.group_by(["run_id", "asset", "partition", "entity"]).aggregate([("credits_used", "sum")])
    wanted = set(assets) if assets is not None else None
    samples: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for row in grouped.to_pylist():
        asset, entity, credits = row["asset"], entity_name(row["entity"]), row["credits_used_sum"]
        if asset is None or entity is None or asset not in DEFAULTS or (wanted is not None and asset not in wanted):
            continue
        if asset in EVENT_ASSETS:
            rate = max(credits - OVERHEAD[asset], 0) / window_days(row["partition"])
        else:
            rate = float(credits)
        samples[asset][entity].append(rate)
    return {a: {e: statistics.median(v) for e, v in by_entity.items()} for a, by_entity in samples.items()}


def estimate_credits(lake, assets: Iterable[str], dates: Sequence[date] | tuple[date, date],
                     entities: Tracked | Sequence[str] | None = None, *,
                     history: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, int]:
    """Credits each asset would spend for ``dates`` over ``entities``.

    ``assets``: lake table names (``tiktok/posts`` is accepted too). ``dates``: the days of the run
    (any iterable of dates; only their count matters). ``entities``: a :class:`Tracked`, a list of
    names restricting ``tracked.yaml`` (like the ``tiktok/entities`` run tag), or ``None`` for all
    tracked entities.
    """
    names = [a.split("/")[-1] for a in assets]
    unknown = [a for a in names if a not in DEFAULTS]
    if unknown:
        raise ValueError(f"cannot estimate unknown asset(s) {unknown}; known: {sorted(DEFAULTS)}")
    day_list = sorted(set(dates))
    if not day_list:
        raise ValueError("estimate needs at least one date")
    n_days = (day_list[-1] - day_list[0]).days + 1
    tracked = _resolve_entities(entities)
    rates = history if history is not None else history_rates(lake, today=max(day_list[-1], _today()), assets=names)
    out: dict[str, int] = {}
    for asset in names:
        per_entity = rates.get(asset, {})
        fallback = statistics.median(per_entity.values()) if per_entity else default_rate(asset)
        total = 0
        for entity in entities_for(asset, tracked):
            rate = per_entity.get(entity, fallback)
            credits = OVERHEAD[asset] + rate * n_days if asset in EVENT_ASSETS else rate
            total += math.ceil(credits - 1e-9)
        out[asset] = total
    return out


def default_rate(asset: str) -> float:
    """Credits per entity (per day for event assets) when the ledger has no history of ``asset``.

    ``hashtag_videos`` costs its feed depth: the asset's default ``max_pages`` (imported here, at call
    time, because the assets package imports the budget package)."""
    if asset == "hashtag_videos":
        from ..assets.hashtags import HASHTAG_FEED_MAX_PAGES

        return float(HASHTAG_FEED_MAX_PAGES)
    return DEFAULTS[asset][0]


def _today() -> date:
    return datetime.now(timezone.utc).date()


def _resolve_entities(entities: Tracked | Sequence[str] | None) -> Tracked:
    if isinstance(entities, Tracked):
        return entities
    tracked = load_tracked()
    if not entities:
        return tracked
    keep = set(entities)
    return Tracked(**{kind: tuple(n for n in tracked.of(kind) if n in keep)
                      for kind in ("accounts", "hashtags", "keywords")})


@dataclass(frozen=True)
class Preflight:
    """An estimate set against what the budget has left; ``ok`` is False when it does not fit."""

    estimate: dict[str, int]
    status: BudgetStatus

    @property
    def total(self) -> int:
        return sum(self.estimate.values())

    @property
    def ok(self) -> bool:
        left = self.status.left
        return left is None or self.total <= left

    def message(self) -> str:
        left = self.status.left
        budget = "no daily/monthly budget set" if left is None else f"{left} credits left ({self.status.describe()})"
        verdict = "fits" if self.ok else "EXCEEDS the budget left"
        return f"estimated {self.total} credits {verdict}: {budget}"


def preflight(lake, settings: BudgetSettings, assets: Iterable[str], dates: Sequence[date],
              entities: Tracked | Sequence[str] | None = None, now: datetime | None = None) -> Preflight:
    """For ``materialize``: refuse (unless ``--force``) when ``not preflight(...).ok``."""
    return Preflight(estimate_credits(lake, assets, dates, entities),
                     status_from_lake(lake, settings, now or utc_now()))
