"""Stream fingerprints: what a capture was fetched from, so an unchanged stream is skipped.

Why: rerunning an unchanged day used to cost a full pass of every list stream (followers, every
selected video's comments, every top comment's replies), about 7 credits per stream. Each of those
lists has a *parent count* that the run reads anyway for free (a profile's ``follower_count`` from
today's ``profiles`` row, a video's ``comment_count`` from its freshest ``posts`` row, a comment's
``reply_comment_total`` from the ``comments`` rows, a hashtag's ``video_count``). When the parent
count equals the one recorded with the last capture, the list is assumed unchanged and is not
fetched again; the committed rows are kept. The skip is exactly as fresh as the latest observation
of the parent count, and a list whose members changed while its count stayed equal (one unfollow +
one follow) is not noticed: ``refresh: true`` in an asset's config forces a full fetch.

Where: the ``state`` column of the lake's capture log (``<lake>/_captures/``, see
``tiktok_assets/lake/captures.py``), one record per captured (table, day, entity). A fingerprint
saved while its capture is still staged is written with the capture record, AFTER the data commit;
so a crash between the two leaves data without a fingerprint (refetched next time), never a
fingerprint for data that is not there. A newer capture without a fingerprint makes the old one
obsolete. Rules shared by all assets: never skip when a capture is missing; a missing, unreadable
or foreign fingerprint means "fetch".
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ..lake.paths import entity_kind, format_date
from ..lake.store import Lake

VERSION = 1


class StreamState:
    """Read/write the fingerprints of one asset's captures in ``lake``."""

    def __init__(self, lake: Lake, asset: str) -> None:
        self.lake, self.asset = lake, asset
        self.kind = entity_kind(asset)

    @staticmethod
    def _day(day: date | str) -> date:
        return date.fromisoformat(format_date(day))

    def load(self, day: date | str, key: str) -> dict[str, Any] | None:
        """The fingerprint of capture (day, key), or None when absent/unreadable (then: fetch)."""
        state = self.lake.load_state(self.asset, self._day(day), key)
        if not state:
            return None
        try:
            doc = json.loads(state)
        except ValueError:
            return None
        if not isinstance(doc, dict) or doc.get("version") != VERSION:
            return None
        return doc

    def save(self, day: date | str, key: str, doc: dict[str, Any]) -> None:
        """Record ``doc`` for capture (day, key); call only after that capture was written (or staged)."""
        state = json.dumps({**doc, "version": VERSION}, sort_keys=True, ensure_ascii=False)
        self.lake.save_state(self.asset, self._day(day), key, state)


def usable_count(value: Any) -> int | None:
    """A parent count worth comparing: a positive int. None/0 are not trusted (the API reports 0 for
    some hashtags that have videos, and a missing count says nothing), so they always mean "fetch"."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n > 0 else None
