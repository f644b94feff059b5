"""Keyword search over the universe: relevance order, not time order.

Why a hash for relevance: real search ranks by signals we cannot see; a seeded hash of
``(keyword, id)`` gives a stable order that is visibly *not* chronological, which is what a client
must cope with (it can never stop a search stream at "older than the window").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

SEARCH_CAP = 300  # search streams end here, like the real endpoint's shallow result sets
PUBLISH_DAYS = {"0": 0, "1": 1, "7": 7, "30": 30, "90": 90, "180": 180}


def _h(seed: int, keyword: str, item_id: str) -> str:
    return hashlib.md5(f"{seed}|{keyword}|{item_id}".encode()).hexdigest()


def tokens(keyword: str) -> list[str]:
    return [t for t in keyword.lower().split() if t]


def rank_videos(seed: int, keyword: str, videos: Iterable[dict[str, Any]], now: int, publish_time: str,
                sort_type: str) -> list[dict[str, Any]]:
    days = PUBLISH_DAYS[publish_time]
    pool = [v for v in videos if not days or v["create_time"] >= now - days * 86_400]
    toks = tokens(keyword)
    scored = []
    for v in pool:
        haystack = v["desc"].lower()
        tags = [c["cha_name"] for c in v["cha_list"]]
        hits = sum(1 for t in toks if t in haystack or any(t in tag for tag in tags))
        scored.append((hits, v))
    matched = [(h, v) for h, v in scored if h]
    if matched:
        matched.sort(key=lambda hv: (-hv[0], _h(seed, keyword, hv[1]["aweme_id"])))
        result = [v for _, v in matched[:SEARCH_CAP]]
    else:  # real search rarely comes back empty: loosely related filler in a stable order
        filler = sorted(pool, key=lambda v: _h(seed, keyword, v["aweme_id"]))
        result = filler[: 20 + int(_h(seed, keyword, "n")[:4], 16) % 41]
    if sort_type == "1":
        result.sort(key=lambda v: (-v["statistics"]["digg_count"], v["aweme_id"]))
    return result


def rank_users(seed: int, keyword: str, accounts: Iterable[dict[str, Any]],
               pool_users: list[dict[str, Any]]) -> list[dict[str, Any]]:
    toks = tokens(keyword)
    hits = [u for u in accounts
            if any(t in u["unique_id"].lower() or t in u["nickname"].lower() or t in u["signature"].lower() for t in toks)]
    hits.sort(key=lambda u: (-u["follower_count"], u["unique_id"]))
    seen = {u["uid"] for u in hits}
    rest = [u for u in sorted(pool_users, key=lambda u: _h(seed, keyword, u["uid"])) if u["uid"] not in seen]
    return [{"user_info": u} for u in hits + rest]
