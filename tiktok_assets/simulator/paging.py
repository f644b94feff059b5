"""Cutting a truth list into pages, with the real platform's pagination quirks.

Why every decision is seeded by ``(stream, offset, count)``: a retried request gets byte-identical
items, and whatever the quirks, the union of served items is exactly the truth. A short page only
moves the cursor less far; a repeat only re-sends items the previous page already carried; the stuck
page and the ``"0"`` end cursor come after the last item.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .config import Q_REPEATS, Q_SHORT_PAGES, Q_STUCK_CURSOR
from .ids import rng


@dataclass(frozen=True)
class StreamQuirks:
    short: bool = False
    repeats: bool = False
    stuck: bool = False  # one more page with no items, the same cursor and has_more still true
    zero_end: bool = False  # the last page returns cursor "0"


def stream_quirks(seed: int, quirks: frozenset[str], endpoint: str, key: str) -> StreamQuirks:
    r = rng(seed, "stream", endpoint, key)
    rolls = [r.random() for _ in range(4)]
    return StreamQuirks(short=Q_SHORT_PAGES in quirks and rolls[0] < 0.4,
                        repeats=Q_REPEATS in quirks and rolls[1] < 0.4,
                        stuck=Q_STUCK_CURSOR in quirks and rolls[2] < 0.3,
                        zero_end=Q_STUCK_CURSOR in quirks and rolls[2] >= 0.3 and rolls[3] < 0.35)


@dataclass(frozen=True)
class Cut:
    items: list[dict[str, Any]]
    next_offset: int  # offset of the first item not yet served
    has_more: bool
    new_count: int  # items served for the first time on this page
    stuck: bool = False  # the empty page past the end: the caller echoes the incoming cursor
    zero_end: bool = False  # the caller answers cursor "0"


def cut(items: Sequence[dict[str, Any]], offset: int, count: int, sq: StreamQuirks, seed: int, key: str,
        first_page_extra: int = 0) -> Cut:
    """Serve ``items[offset:]`` as one page of at most ``count`` (``first_page_extra`` slots taken by pins)."""
    n = len(items)
    if offset >= n:
        return Cut([], offset, bool(sq.stuck and n), 0, stuck=bool(sq.stuck and n))
    r = rng(seed, "page", key, offset, count)
    rolls = [r.random() for _ in range(3)]
    room = max(1, count - first_page_extra)
    rep = 0
    if sq.repeats and offset > 0 and rolls[0] < 0.5:
        rep = min(offset, 1 if rolls[1] < 0.5 else 2)
        if room - rep < 1:
            rep = 0
    take = room - rep
    if sq.short and take > 1 and offset + take < n and rolls[2] < 0.35:
        take = 1 + int(rolls[1] * (take - 1))
    new = list(items[offset: offset + take])
    nxt = offset + len(new)
    more = nxt < n
    last = not more
    return Cut(list(items[offset - rep: offset]) + new, nxt, more or (last and sq.stuck), len(new),
               zero_end=last and sq.zero_end)
