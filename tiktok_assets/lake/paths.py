"""Names in the lake: the table list check and the ``YYYY-MM-DD`` day format of ``partition_date``.

The Delta layout has no entity folders: an entity key (a 600-character account, a CJK keyword, any
byte the API accepts) is the ``tracked_entity`` column, so no key is ever encoded into a path and no
file name can grow past a file system's limit.
"""

from __future__ import annotations

from datetime import date

from tiktok_assets.lake.schemas import ENTITY_KIND


class LakePathError(ValueError):
    """A table or date does not fit the lake layout."""


def entity_kind(table: str) -> str:
    """What ``tracked_entity`` names in ``table`` (raises a clear error for unknown tables)."""
    try:
        return ENTITY_KIND[table]
    except KeyError:
        raise LakePathError(f"unknown lake table {table!r}; known tables: {sorted(ENTITY_KIND)}") from None


def format_date(value: date | str) -> str:
    """Normalize a date (or an ISO ``YYYY-MM-DD`` string) to ``YYYY-MM-DD``."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise LakePathError(f"partition date must be YYYY-MM-DD, got {value!r}") from None
    if not isinstance(value, date):
        raise LakePathError(f"partition date must be a date, got {value!r}")
    return value.isoformat()
