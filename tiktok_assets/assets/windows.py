"""Pure date-window logic shared by the assets (no Dagster, no I/O, so it is unit-testable).

Why inclusive ``date`` windows: a partition key is a UTC day; a single-run backfill gives a range of
days. Event assets file each item under the UTC day of its ``create_time``. Only ``posts`` may stop
paging early (:func:`page_is_older_than`): ``user/posts`` with sort_type "0" is the one list the
reference documents as newest-first. Every other stream is read in full (or to a stated page limit).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

# The API's publish_time filter for search/videos, smallest first: days -> parameter value.
PUBLISH_TIME_BUCKETS: tuple[tuple[int, str], ...] = ((1, "1"), (7, "7"), (30, "30"), (90, "90"), (180, "180"))


@dataclass(frozen=True)
class Window:
    """An inclusive range of UTC days [start, end]."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"window end {self.end} is before start {self.start}")

    @classmethod
    def from_datetimes(cls, start: datetime, end_exclusive: datetime) -> Window:
        """From Dagster's ``partition_time_window`` (end is exclusive midnight)."""
        return cls(start.astimezone(UTC).date(), (end_exclusive.astimezone(UTC) - timedelta(seconds=1)).date())

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def start_ts(self) -> int:
        return int(datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC).timestamp())

    @property
    def end_ts_exclusive(self) -> int:
        nxt = self.end + timedelta(days=1)
        return int(datetime(nxt.year, nxt.month, nxt.day, tzinfo=UTC).timestamp())

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}..{self.end}"


def today_utc(now: datetime | None = None) -> date:
    return (now or datetime.now(UTC)).astimezone(UTC).date()


def utc_day(create_time: Any) -> date | None:
    """UTC day of an API ``create_time`` (unix seconds); None when absent or unparsable."""
    try:
        return datetime.fromtimestamp(int(create_time), tz=UTC).date()
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def group_by_day(items: Iterable[dict[str, Any]], window: Window) -> dict[date, list[dict[str, Any]]]:
    """Items whose create day lies in the window, keyed by day; every day of the window is present
    (possibly empty) so that empty days still get an (empty) partition file."""
    out: dict[date, list[dict[str, Any]]] = {d: [] for d in window.days()}
    for item in items:
        day = utc_day(item.get("create_time"))
        if day is not None and window.contains(day):
            out[day].append(item)
    return out


def page_is_older_than(items: list[dict[str, Any]], window: Window, *, pinned_key: str = "is_top") -> bool:
    """True when a newest-first page reaches past the window start, so later pages are all older.

    Valid only for ``user/posts`` with sort_type "0" (documented as "latest"); no other list has a
    documented time order, so no other stream may call this.

    In a newest-first stream the last non-pinned item of a page is its oldest; once that is older
    than the window's first day, every later item is too, and the pass can stop after this page.
    (Waiting for a page that is *entirely* older would pay one more page per entity per run, i.e.
    double the cost of a typical daily run.) Pinned posts come first regardless of age, so they never
    end the pass; a page with only pinned items or no dated items does not end it either.
    """
    dated = [d for d in (utc_day(i.get("create_time")) for i in items if not i.get(pinned_key)) if d is not None]
    return bool(dated) and min(dated) < window.start


def publish_time_bucket(window: Window, now: datetime | None = None) -> str:
    """Smallest search/videos ``publish_time`` that still covers the window start ("0" = all time)."""
    now = now or datetime.now(UTC)
    age_seconds = now.timestamp() - window.start_ts
    for days, value in PUBLISH_TIME_BUCKETS:
        if age_seconds <= days * 86400:
            return value
    return "0"

