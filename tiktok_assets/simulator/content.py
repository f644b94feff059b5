"""Videos, comments and replies, generated from an account's spec or a video's id.

Why draws happen regardless of quirks: a quirk switch only decides whether a drawn value is *used*
(e.g. drop ``music``), never how many numbers are drawn, so ids and times are identical with quirks
on or off and tests can compare the two worlds item by item.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from . import text
from .config import Q_BIG_COUNTS, Q_MISSING_OPTIONAL
from .ids import id19, rng
from .people import CDN, AccountSpec, author

DAY = 86_400
MEGA_VIDEO_ID = "7000000000000000001"
VIRAL_COMMENTS = (1200, 3000)  # above the default comment cap of 1000


def _stats(r: random.Random, aweme_id: str, viral: bool, huge: bool) -> dict[str, int]:
    zero = r.random() < 0.03 and not viral
    plays = 0 if zero else int(r.lognormvariate(8.5, 1.8))
    if viral:
        plays = r.randint(2_200_000_000, 4_000_000_000) if huge else r.randint(2_000_000, 40_000_000)
    fractions = [r.uniform(0.02, 0.15), r.uniform(0.0005, 0.006), r.uniform(0.001, 0.02), r.uniform(0.002, 0.03)]
    comments = r.randint(*VIRAL_COMMENTS) if viral else min(900, int(plays * fractions[1]))
    return {"aweme_id": aweme_id, "play_count": plays, "digg_count": int(plays * fractions[0]),
            "comment_count": comments, "share_count": int(plays * fractions[2]),
            "collect_count": int(plays * fractions[3])}


def make_video(r: random.Random, spec: AccountSpec, create_time: int, quirks: frozenset[str],
               tag_id: Callable[[str], str], mentionable: Sequence[AccountSpec], viral: bool,
               aweme_id: str | None = None) -> dict[str, Any]:
    """One video object as user/posts, search and hashtag/videos send it (and /video as aweme_detail)."""
    vid = aweme_id or id19(r)
    huge = viral and spec.kind == "mega" and Q_BIG_COUNTS in quirks
    stats = _stats(r, vid, viral, huge)
    theme_tags = text.THEMES[spec.theme]["tags"]
    tags = r.sample(theme_tags, r.randint(1, min(3, len(theme_tags))))
    if r.random() < 0.6:
        tags.append("fyp")
    mention_roll, target = r.random(), r.choice(mentionable)
    mention = target if mention_roll < 0.12 and target.unique_id != spec.unique_id else None
    desc, entities = text.caption(r, spec.theme, tags, mention.unique_id if mention else None)
    text_extra = []
    for start, end, kind, value in entities:
        if kind == "hashtag":
            text_extra.append({"start": start, "end": end, "type": 1, "hashtag_name": value,
                               "hashtag_id": tag_id(value), "user_id": "", "sec_uid": ""})
        else:
            text_extra.append({"start": start, "end": end, "type": 0, "hashtag_name": "", "user_id": mention.uid,
                               "sec_uid": mention.sec_uid, "user_unique_id": mention.unique_id})
    width, height = r.choice([(1080, 1920), (720, 1280), (1080, 1350)])
    duration_ms = r.randint(5_000, 180_000)
    no_music, empty_cover = r.random() < 0.08, r.random() < 0.03
    music_id = id19(r)
    video = {
        "aweme_id": vid, "desc": desc, "create_time": create_time, "is_top": 0, "region": spec.region,
        "author": author(spec), "statistics": stats,
        "video": {
            "play_addr": {"uri": vid, "url_list": [f"{CDN}/video/{vid}/play.mp4"], "width": width, "height": height},
            "download_addr": {"uri": vid, "url_list": [f"{CDN}/video/{vid}/download.mp4"]},
            "cover": {"uri": f"cover/{vid}", "url_list": [] if empty_cover and Q_MISSING_OPTIONAL in quirks
                      else [f"{CDN}/cover/{vid}.jpeg"]},
            "duration": duration_ms, "width": width, "height": height, "ratio": f"{min(width, height)}p",
        },
        "cha_list": [{"cid": tag_id(t), "cha_name": t} for t in tags],
        "text_extra": text_extra,
        "share_url": f"https://www.tiktok.com/@{spec.unique_id}/video/{vid}",
    }
    if not (no_music and Q_MISSING_OPTIONAL in quirks):
        video["music"] = {"id": music_id, "id_str": music_id, "title": f"original sound - {spec.unique_id}",
                          "author": spec.nickname, "duration": duration_ms // 1000,
                          "play_url": {"uri": music_id, "url_list": [f"{CDN}/music/{music_id}.mp3"]}}
    return video


def make_posts(seed: int, spec: AccountSpec, now: int, quirks: frozenset[str], tag_id: Callable[[str], str],
               mentionable: Sequence[AccountSpec]) -> list[dict[str, Any]]:
    """All posts of an account, newest first, with distinct create_time seconds (the posts cursor is a time)."""
    r = rng(seed, "posts", spec.unique_id)
    offsets = sorted(r.sample(range(120, 30 * DAY), spec.n_recent) + r.sample(range(30 * DAY + 1, 365 * DAY), spec.n_older))
    n = len(offsets)
    n_viral = 5 if spec.kind == "mega" else 2 if spec.kind == "demo" else (1 if r.random() < 0.3 else 0)
    viral = set(r.sample(range(min(n, spec.n_recent + 5)), min(n_viral, n)))
    return [make_video(r, spec, now - off, quirks, tag_id, mentionable, i in viral) for i, off in enumerate(offsets)]


def commenter(user: dict[str, Any]) -> dict[str, Any]:
    return {k: user[k] for k in ("uid", "unique_id", "nickname", "sec_uid", "avatar_thumb")}


def make_comments(seed: int, video: dict[str, Any], n: int, now: int,
                  pool: Callable[[int], dict[str, Any]], pool_size: int) -> list[dict[str, Any]]:
    """The top ``n`` comments of a video (served order: most liked first)."""
    vid, created = video["aweme_id"], video["create_time"]
    r = rng(seed, "comments", vid)
    diggs = sorted((int(r.lognormvariate(2, 2)) for _ in range(n)), reverse=True)
    out = []
    for i, digg in enumerate(diggs):
        thread = i < 3 and n >= 50 and r.random() < 0.6
        replies = r.randint(50, 300) if thread else (r.randint(1, 6) if r.random() < 0.3 else 0)
        out.append({"cid": id19(r), "aweme_id": vid, "text": text.comment_text(r),
                    "create_time": r.randint(created + 10, max(created + 10, now)), "digg_count": digg,
                    "reply_comment_total": replies, "is_author_digged": 1 if r.random() < 0.05 else 0,
                    "reply_id": "0", "user": commenter(pool(r.randrange(pool_size)))})
    return out


def make_replies(seed: int, parent: dict[str, Any], now: int, pool: Callable[[int], dict[str, Any]],
                 pool_size: int) -> list[dict[str, Any]]:
    """Replies to one comment, oldest first; same fields as a comment plus ``reply_id`` = parent cid."""
    r = rng(seed, "replies", parent["cid"])
    times = sorted(r.randint(parent["create_time"], max(parent["create_time"], now))
                   for _ in range(parent["reply_comment_total"]))
    return [{"cid": id19(r), "aweme_id": parent["aweme_id"], "text": text.comment_text(r), "create_time": t,
             "digg_count": int(r.lognormvariate(1, 1.5)), "reply_comment_total": 0,
             "is_author_digged": 0, "reply_id": parent["cid"], "user": commenter(pool(r.randrange(pool_size)))}
            for t in times]


class MegaComments(Sequence):
    """A million comments without a million dicts: item ``i`` is generated from ``(seed, i)`` on access."""

    def __init__(self, seed: int, n: int, created: int, now: int, pool: Callable[[int], dict[str, Any]],
                 pool_size: int) -> None:
        self.seed, self.n, self.created, self.now, self.pool, self.pool_size = seed, n, created, now, pool, pool_size

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self._make(i) for i in range(*index.indices(self.n))]
        if index < 0:
            index += self.n
        if not 0 <= index < self.n:
            raise IndexError(index)
        return self._make(index)

    def _make(self, i: int) -> dict[str, Any]:
        r = rng(self.seed, "mega", i)
        return {"cid": str(7_200_000_000_000_000_000 + i), "aweme_id": MEGA_VIDEO_ID, "text": text.comment_text(r),
                "create_time": r.randint(self.created, self.now), "digg_count": int(r.lognormvariate(1, 2)),
                "reply_comment_total": 0, "is_author_digged": 0, "reply_id": "0",
                "user": commenter(self.pool(r.randrange(self.pool_size)))}
