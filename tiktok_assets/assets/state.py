"""Stream fingerprints: what a committed partition was fetched from, so an unchanged stream is skipped.

Why: rerunning an unchanged day used to cost a full pass of every list stream (followers, every
selected video's comments, every top comment's replies), about 7 credits per stream. Each of those
lists has a *parent count* that the run reads anyway for free (a profile's ``follower_count`` from
today's ``profiles`` row, a video's ``comment_count`` from its freshest ``posts`` row, a comment's
``reply_comment_total`` from the ``comments`` partitions, a hashtag's ``video_count``). When the
parent count equals the one recorded when the partition was last written, the list is assumed
unchanged and is not fetched again; the committed rows are kept (or copied into the rewritten
partition). The skip is exactly as fresh as the latest observation of the parent count, and a list
whose members changed while its count stayed equal (one unfollow + one follow) is not noticed:
``refresh: true`` in an asset's config forces a full fetch.

Layout: one small JSON object per committed partition,
``<lake>/_state/<asset>/date=YYYY-MM-DD/<kind>=<encoded key>.json`` (``_state`` is never matched by
the table readers). It is written atomically (temp file + ``os.replace`` locally, one PUT on S3) and
only AFTER the partition it describes was committed, so a crash between the two leaves a partition
without a fingerprint (refetched next time), never a fingerprint for data that is not there.
Rules shared by all assets: never skip when a partition is missing; a missing, unreadable or
foreign fingerprint means "fetch".
"""

from __future__ import annotations

import json
import os
import posixpath
import uuid
from datetime import date
from typing import Any

from ..lake.paths import encode_key, entity_kind, format_date

STATE_DIR = "_state"
VERSION = 1


class StreamState:
    """Read/write the fingerprints of one asset's partitions in ``lake``."""

    def __init__(self, lake: Any, asset: str) -> None:
        self.lake, self.asset = lake, asset
        self.kind = entity_kind(asset)

    def path(self, day: date | str, key: str) -> str:
        return posixpath.join(self.lake.root.rstrip("/"), STATE_DIR, self.asset, f"date={format_date(day)}",
                              f"{self.kind}={encode_key(key)}.json")

    def load(self, day: date | str, key: str) -> dict[str, Any] | None:
        """The fingerprint of partition (day, key), or None when absent/unreadable (then: fetch)."""
        try:
            with self.lake.fs.open(self.path(day, key), "rb") as f:
                doc = json.loads(f.read().decode("utf-8"))
        except (FileNotFoundError, ValueError, OSError):
            return None
        if not isinstance(doc, dict) or doc.get("version") != VERSION:
            return None
        return doc

    def save(self, day: date | str, key: str, doc: dict[str, Any]) -> None:
        """Record ``doc`` for partition (day, key); call only after that partition was committed."""
        path = self.path(day, key)
        data = json.dumps({**doc, "version": VERSION}, sort_keys=True, ensure_ascii=False).encode("utf-8")
        if self.lake.is_local:
            os.makedirs(posixpath.dirname(path), exist_ok=True)
            tmp = f"{path}.{uuid.uuid4().hex}.tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        else:
            self.lake.fs.pipe_file(path, data)  # one PUT: atomic per object

    def forget(self, day: date | str, key: str) -> None:
        """Drop a fingerprint (before rewriting its partition, so a crash mid-write refetches)."""
        try:
            self.lake.fs.rm(self.path(day, key))
        except (FileNotFoundError, OSError):
            pass

    def forget(self, day: date | str, key: str) -> None:
        """Drop a fingerprint before its partition is rewritten: a crash between the rewrite and the
        new :meth:`save` then means "fetch next time", never an old count paired with new data."""
        try:
            self.lake.fs.rm(self.path(day, key))
        except (FileNotFoundError, OSError):
            pass


def usable_count(value: Any) -> int | None:
    """A parent count worth comparing: a positive int. None/0 are not trusted (the API reports 0 for
    some hashtags that have videos, and a missing count says nothing), so they always mean "fetch"."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        return None
    return n if n > 0 else None
