"""Deterministic randomness and TikTok-shaped identifiers.

Why string-seeded ``random.Random``: seeding with a string hashes it with SHA-512 (not Python's salted
``hash``), so every entity's data depends only on ``(seed, its own name)``. Entities can therefore be
generated lazily, in any order, by any thread, and still come out identical across runs.
"""

from __future__ import annotations

import base64
import hashlib
import random
import string

URLSAFE = string.ascii_letters + string.digits + "-_"
SEC_UID_PREFIX = "MS4wLjABAAAA"
ID_LOW = 6_800_000_000_000_000_000
ID_HIGH = 7_499_999_999_999_999_999


def rng(seed: int, *parts: object) -> random.Random:
    """A generator private to one entity: same parts, same stream, in any process."""
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def id19(r: random.Random) -> str:
    """A 19-digit numeric id (aweme_id, cid, uid), as TikTok sends them: strings, beyond 2^53."""
    return str(r.randint(ID_LOW, ID_HIGH))


def sec_uid(r: random.Random) -> str:
    return SEC_UID_PREFIX + "".join(r.choice(URLSAFE) for _ in range(40))


def _mask(seed: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:pool-mask".encode()).digest()[:6], "big")


def pool_sec_uid(seed: int, index: int, r: random.Random) -> str:
    """A pool user's sec_uid: 32 random chars + 8 chars hiding the index, so lookups need no table."""
    tail = base64.urlsafe_b64encode((index ^ _mask(seed)).to_bytes(6, "big")).decode()
    return SEC_UID_PREFIX + "".join(r.choice(URLSAFE) for _ in range(32)) + tail


def pool_index_of_sec_uid(seed: int, value: str) -> int | None:
    if not value.startswith(SEC_UID_PREFIX) or len(value) != len(SEC_UID_PREFIX) + 40:
        return None
    try:
        raw = base64.urlsafe_b64decode(value[-8:].encode())
    except ValueError:
        return None
    return int.from_bytes(raw, "big") ^ _mask(seed)


def fingerprint(key: str) -> str:
    """Short sha256 of an API key: how stats name a key without ever holding it in clear."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]
