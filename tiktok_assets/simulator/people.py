"""Accounts (the creators a user would track) and the pool of ordinary users around them.

Why two kinds: accounts have posts, followers and followings and are few, so they are generated on
first use and cached. Pool users (commenters, followers) are many; each is a pure function of its index
and the index is recoverable from its handle or sec_uid, so nothing needs a lookup table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import text
from .config import Q_BIG_COUNTS, Q_DELETED_ACCOUNT, Q_MISSING_OPTIONAL
from .ids import id19, pool_sec_uid, rng, sec_uid

DEMO_ACCOUNTS: tuple[str, ...] = ("chef_lina", "urban_runner", "pixel_pets")
DELETED_ACCOUNT = "gone_creator"
PRIVATE_ACCOUNT = "quiet_closet"
CAP_ACCOUNT = "mega_star"
POOL_SIZE = 20_000
CDN = "https://p16-sign.tiktokcdn.invalid"

DEMO_THEMES = {"chef_lina": "cooking", "urban_runner": "running", "pixel_pets": "pets",
               DELETED_ACCOUNT: "travel", PRIVATE_ACCOUNT: "beauty", CAP_ACCOUNT: "pets"}
DEMO_NICKNAMES = {"chef_lina": "Lina 🍳 Chef | 料理", "urban_runner": "Urban Runner 🏃‍♀️ عدّاء",
                  "pixel_pets": 'Pixel Pets 🐾 "Cats & Dogs"', CAP_ACCOUNT: "MEGA ⭐ スター",
                  PRIVATE_ACCOUNT: "quiet closet 🤫", DELETED_ACCOUNT: "gone ✈️ creator"}
PINNED_COUNT = {"chef_lina": 3, "urban_runner": 1, "pixel_pets": 0, CAP_ACCOUNT: 2}


def generated_ids(n: int) -> list[str]:
    return [f"creator_{i:04d}" for i in range(1, n + 1)]


@dataclass(frozen=True)
class AccountSpec:
    """The generation plan of one account; posts and graph are derived from it lazily."""

    unique_id: str
    kind: str  # demo | deleted | private | mega | generated
    uid: str
    sec_uid: str
    nickname: str
    signature: str
    bio_url: str | None
    theme: str
    n_recent: int  # posts in the last 30 days
    n_older: int  # posts over the preceding ~11 months
    n_pinned: int
    n_followers: int
    n_followings: int
    region: str


def make_account(seed: int, unique_id: str, quirks: frozenset[str]) -> AccountSpec:
    r = rng(seed, "account", unique_id)
    kind = ("demo" if unique_id in DEMO_ACCOUNTS else "deleted" if unique_id == DELETED_ACCOUNT
            else "private" if unique_id == PRIVATE_ACCOUNT else "mega" if unique_id == CAP_ACCOUNT else "generated")
    theme = DEMO_THEMES.get(unique_id) or r.choice(text.THEME_NAMES)
    uid, suid, nick = id19(r), sec_uid(r), DEMO_NICKNAMES.get(unique_id) or text.nickname(r)
    sig = text.signature(r, theme)
    if kind == "demo":
        n_recent, n_older = r.randint(22, 38), r.randint(60, 150)
        n_followers, n_followings = r.randint(50, 400), r.randint(20, 150)
    elif kind == "mega":
        n_recent, n_older, n_followers, n_followings = r.randint(8, 15), r.randint(30, 45), 6000, r.randint(5, 30)
    else:
        total = r.randint(20, 200)
        n_recent = max(1, int(total * r.uniform(0.1, 0.3)))
        n_older, n_followers, n_followings = total - n_recent, r.randint(10, 300), r.randint(5, 80)
    n_pinned = PINNED_COUNT.get(unique_id, r.choice([0, 0, 0, 1, 2, 3]) if kind == "generated" else 0)
    has_bio = not (Q_MISSING_OPTIONAL in quirks and (unique_id == "pixel_pets" or (kind == "generated" and r.random() < 0.25)))
    return AccountSpec(
        unique_id=unique_id, kind=kind, uid=uid, sec_uid=suid, nickname=nick, signature=sig,
        bio_url=f"linktr.ee/{unique_id}" if has_bio else None, theme=theme, n_recent=n_recent, n_older=n_older,
        n_pinned=n_pinned if n_recent + n_older >= 12 else 0, n_followers=n_followers, n_followings=n_followings,
        region=r.choice(["US", "JP", "FR", "AE", "IL", "KR", "BR"]),
    )


def is_gone(spec: AccountSpec, quirks: frozenset[str]) -> bool:
    return spec.kind == "deleted" and Q_DELETED_ACCOUNT in quirks


def avatar(uid: str, size: str, empty: bool = False) -> dict[str, Any]:
    return {"uri": f"avatar/{uid}", "url_list": [] if empty else [f"{CDN}/avatar/{uid}~c5_{size}.jpeg"]}


def brief(spec: AccountSpec, follower_count: int, following_count: int, aweme_count: int) -> dict[str, Any]:
    """The user object of follower lists and search results (a subset of the profile)."""
    return {"uid": spec.uid, "unique_id": spec.unique_id, "nickname": spec.nickname, "sec_uid": spec.sec_uid,
            "signature": spec.signature, "follower_count": follower_count, "following_count": following_count,
            "aweme_count": aweme_count, "avatar_thumb": avatar(spec.uid, "100x100")}


def author(spec: AccountSpec) -> dict[str, Any]:
    """The ``author`` object embedded in videos."""
    return {"uid": spec.uid, "unique_id": spec.unique_id, "nickname": spec.nickname, "sec_uid": spec.sec_uid,
            "signature": spec.signature, "region": spec.region, "avatar_thumb": avatar(spec.uid, "100x100")}


def profile(spec: AccountSpec, follower_count: int, following_count: int, aweme_count: int,
            total_favorited: int) -> dict[str, Any]:
    user = brief(spec, follower_count, following_count, aweme_count)
    user.update({"total_favorited": total_favorited, "avatar_larger": avatar(spec.uid, "1080x1080"),
                 "avatar_medium": avatar(spec.uid, "720x720"), "region": spec.region,
                 "verified": spec.kind in ("demo", "mega"), "secret": 1 if spec.kind == "private" else 0})
    if spec.bio_url is not None:
        user["bio_url"] = spec.bio_url
    return user


def mega_follower_count(quirks: frozenset[str]) -> int:
    return 3_456_789_012 if Q_BIG_COUNTS in quirks else 1_987_654_321


def pool_user(seed: int, index: int, quirks: frozenset[str]) -> dict[str, Any]:
    """Pool user ``index`` as a follower-list entry; its followers/followings/posts lists are hidden (empty)."""
    r = rng(seed, "pool", index)
    uid = id19(r)
    handle = text.pool_handle(r, index)
    suid = pool_sec_uid(seed, index, r)
    nick = text.nickname(r)
    empty_avatar = r.random() < 0.05 and Q_MISSING_OPTIONAL in quirks  # always draw: quirks never shift ids
    return {"uid": uid, "unique_id": handle, "nickname": nick, "sec_uid": suid,
            "signature": text.signature(r, r.choice(text.THEME_NAMES)) if r.random() < 0.4 else "",
            "follower_count": int(r.lognormvariate(3, 1.5)), "following_count": r.randint(0, 2000),
            "aweme_count": 0, "avatar_thumb": avatar(uid, "100x100", empty_avatar)}


def pool_profile(user: dict[str, Any]) -> dict[str, Any]:
    out = dict(user)
    out.update({"total_favorited": 0, "bio_url": "", "avatar_larger": avatar(user["uid"], "1080x1080"),
                "avatar_medium": avatar(user["uid"], "720x720"), "verified": False, "secret": 0})
    return out
