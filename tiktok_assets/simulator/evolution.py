"""Time evolution: one seeded universe observed at a later ``now`` (``Universe.at``, ``SimulatorServer.travel``).

Why an anchor: every piece of content is generated relative to the universe's construction time (the
*anchor*), so ids, texts and times never depend on when it is observed. Moving ``now`` forward only
*reveals* and *grows*; all of it is a pure function of ``(seed, anchor, now)``, so a test can observe
the world at day 1, travel to day 2 and compute both days' truth from the same object graph:

- **Followers**: each account gains ``daily_follower_gain`` followers per day (demo 5-25, generated and
  private 0-6, mega_star 2,000-9,000); the i-th (0-based) new follower follows at
  ``anchor + ceil((i + 1) * DAY / gain)``, so ``follower_count(now) = base + gain * elapsed // DAY``.
  New followers are pool users not already following, listed at the head (newest first).
- **Future posts** (demo accounts only, planned for ``FUTURE_DAYS`` after the anchor, hidden until
  ``now`` reaches their ``create_time``): a scheduled upload every UTC day at 00:01-00:10 (a fixed
  second per account, from the first midnight after the anchor; the daily schedule at 00:15 UTC always
  finds that day's upload) plus 1-2 unscheduled posts per day after the anchor. Their comments (and
  replies) arrive uniformly over ``COMMENT_HORIZON`` after the post; a comment's
  ``reply_comment_total`` and the video's ``comment_count`` count what has arrived by ``now``; the other
  counters reach the planned value linearly over the same horizon.
- **Growth of older videos**: play/digg/share/collect grow by ``rate * elapsed_days`` of their anchor
  value, ``rate = 0.5 / (1 + age_at_anchor_days)`` (young videos grow fastest; 0 plays stays 0). Their
  comment lists, replies and ``comment_count`` stay as at the anchor (new comments on old videos are
  not simulated).
- At ``now == anchor`` nothing differs from an unevolved universe (same objects, zero growth).
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import content, people
from .ids import rng

if TYPE_CHECKING:
    from .universe import Universe

DAY = 86_400
FUTURE_DAYS = 7
COMMENT_HORIZON = 2 * DAY
GROWING = ("play_count", "digg_count", "share_count", "collect_count")
Follows = list[tuple[int, dict[str, Any]]]  # (follow time, user), newest first


def observe(u: Universe, now: float) -> Universe:
    """A view of ``u``'s world at ``now``: shares the anchored content and plans, caches its own results."""
    now = int(now)
    if now < u.anchor:
        raise ValueError(f"Universe.at({now}): before the anchor {u.anchor}; content only evolves forward")
    view = copy.copy(u)
    view.now = now
    view._videos = view._tagged = None
    view._lru = OrderedDict()
    view._view = {}
    return view


def _cached(u: Universe, cache: dict[tuple, Any], key: tuple, build: Callable[[], Any]) -> Any:
    """``cache[key]``, built outside the universe's lock on a miss (the first value stored wins)."""
    with u._lock:
        if key in cache:
            return cache[key]
    value = build()
    with u._lock:
        return cache.setdefault(key, value)


def _view_cached(u: Universe, key: tuple, build: Callable[[], Any]) -> Any:
    """Values of this view (they depend on ``now``)."""
    return _cached(u, u._view, key, build)


def _planned(u: Universe, key: tuple, build: Callable[[], Any]) -> Any:
    """Anchored plans shared by every view of the same universe (they do not depend on ``now``)."""
    return _cached(u, u._future, key, build)


# --- followers ------------------------------------------------------------------------------------
def daily_follower_gain(seed: int, spec: people.AccountSpec) -> int:
    """New followers per day after the anchor (the deleted account gains none)."""
    low, high = {"demo": (5, 25), "mega": (2_000, 9_000), "deleted": (0, 0)}.get(spec.kind, (0, 6))
    return rng(seed, "follower-gain", spec.unique_id).randint(low, high)


def new_follower_count(u: Universe, spec: people.AccountSpec) -> int:
    return daily_follower_gain(u.seed, spec) * (u.now - u.anchor) // DAY


def follow_time(u: Universe, spec: people.AccountSpec, i: int) -> int:
    """When the i-th (0-based) follower gained after the anchor follows."""
    gain = daily_follower_gain(u.seed, spec)
    return u.anchor + -(-(i + 1) * DAY // gain)


def followers_at(u: Universe, spec: people.AccountSpec, anchored: Follows) -> Follows:
    """The followers list at ``now``: the new followers (newest first) ahead of the anchored ones, capped."""
    n = new_follower_count(u, spec)
    if n == 0:
        return anchored

    def build() -> Follows:
        r, seen, new = rng(u.seed, "new-followers", spec.unique_id), {x["uid"] for _, x in anchored}, []
        while len(new) < n and len(seen) < u.POOL_SIZE:
            user = u.pool_user(r.randrange(u.POOL_SIZE))
            if user["uid"] not in seen:
                seen.add(user["uid"])
                new.append((follow_time(u, spec, len(new)), user))
        return (new[::-1] + anchored)[: u.follower_cap]
    return _view_cached(u, ("followers", spec.unique_id), build)


# --- posts ----------------------------------------------------------------------------------------
def future_posts(u: Universe, unique_id: str) -> list[dict[str, Any]]:
    """Every planned post after the anchor (final statistics), newest first; [] unless a demo account."""
    spec = u._specs[unique_id]
    if spec.kind != "demo":
        return []

    def build() -> list[dict[str, Any]]:
        r = rng(u.seed, "future-posts", unique_id)
        upload_second = r.randint(60, 600)
        first_midnight = (u.anchor // DAY + 1) * DAY
        times = {first_midnight + k * DAY + upload_second for k in range(FUTURE_DAYS)}
        for k in range(FUTURE_DAYS):
            times.update(u.anchor + k * DAY + r.randint(1_800, DAY - 1_800) for _ in range(r.randint(1, 2)))
        mentionable = list(u._specs.values())
        posts = [content.make_video(r, spec, t, u.quirks, u._tag_ids.__getitem__, mentionable, viral=False)
                 for t in sorted(times)]
        return posts[::-1]
    return _planned(u, ("posts", unique_id), build)


def is_future(u: Universe, create_time: int) -> bool:
    return create_time > u.anchor


def posts_at(u: Universe, unique_id: str) -> list[dict[str, Any]]:
    """The account's posts at ``now``, newest first: visible future posts, then the anchored ones, grown."""
    anchored = u._all_posts(unique_id)
    if u.now == u.anchor:
        return anchored

    def build() -> list[dict[str, Any]]:
        visible = [v for v in future_posts(u, unique_id) if v["create_time"] <= u.now]
        return [video_at(u, v) for v in visible + anchored]
    return _view_cached(u, ("posts", unique_id), build)


def video_at(u: Universe, video: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``video`` with its statistics at ``now``."""
    base, out = video["statistics"], dict(video)
    stats = dict(base)
    if is_future(u, video["create_time"]):
        share = min(1.0, (u.now - video["create_time"]) / COMMENT_HORIZON)
        stats.update({k: int(base[k] * share) for k in GROWING})
        stats["comment_count"] = sum(1 for c in _final_comments(u, video) if c["create_time"] <= u.now)
    else:
        rate = 0.5 / (1 + (u.anchor - video["create_time"]) / DAY)
        stats.update({k: base[k] + int(base[k] * rate * (u.now - u.anchor) / DAY) for k in GROWING})
    out["statistics"] = stats
    return out


# --- comments and replies on future posts ---------------------------------------------------------
def _final_comments(u: Universe, video: dict[str, Any]) -> list[dict[str, Any]]:
    """All comments a future post will ever get (most liked first), times over COMMENT_HORIZON."""
    vid = video["aweme_id"]

    def build() -> list[dict[str, Any]]:
        plan = next(v for v in future_posts(u, video["author"]["unique_id"]) if v["aweme_id"] == vid)
        return content.make_comments(u.seed, plan, plan["statistics"]["comment_count"],
                                     plan["create_time"] + COMMENT_HORIZON, u.pool_user, u.POOL_SIZE)
    return _planned(u, ("comments", vid), build)


def _final_replies(u: Universe, parent: dict[str, Any], horizon: int) -> list[dict[str, Any]]:
    return _planned(u, ("replies", parent["cid"]), lambda: content.make_replies(
        u.seed, parent, horizon, u.pool_user, u.POOL_SIZE))


def comments_at(u: Universe, video: dict[str, Any]) -> list[dict[str, Any]]:
    """Comments of a future post served at ``now`` (arrived by now, top ``comment_cap`` by likes)."""
    def build() -> list[dict[str, Any]]:
        horizon = video["create_time"] + COMMENT_HORIZON
        out = []
        for c in _final_comments(u, video):
            if c["create_time"] > u.now:
                continue
            if c["reply_comment_total"]:
                arrived = sum(1 for x in _final_replies(u, c, horizon) if x["create_time"] <= u.now)
                c = dict(c, reply_comment_total=arrived)
            out.append(c)
        return out[: u.comment_cap]
    return _view_cached(u, ("comments", video["aweme_id"]), build)


def replies_at(u: Universe, video: dict[str, Any], cid: str) -> list[dict[str, Any]]:
    """Replies (oldest first) to comment ``cid`` of a future post that have arrived by ``now``."""
    parent = next((c for c in _final_comments(u, video) if c["cid"] == cid), None)
    if parent is None or not parent["reply_comment_total"]:
        return []
    return [x for x in _final_replies(u, parent, video["create_time"] + COMMENT_HORIZON) if x["create_time"] <= u.now]
