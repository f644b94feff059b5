"""The one partitions definition every TikTok asset shares, and the run tag that picks entities.

Why a single ``DailyPartitionsDefinition`` and no entity dimension: tracked entities change often and
number in the thousands, while days are regular. A multi-partition (entity x day) grid multiplies the
partition count (1,000 accounts x 730 days = 730,000 keys), slows the UI and the daemon, and hits
known single-run-backfill bugs with ``MultiPartitionsDefinition`` (dagster #18852, #23996, #28861).
Instead each run fans out over the tracked entities of ``tracked.yaml``; a subset is chosen with the
``tiktok/entities`` run tag (settable on a UI backfill) or per-asset config. Only the event assets
are partitioned (snapshot assets capture the current state and have no partitions, see the README's
"Partitions" section). ``end_offset=1`` makes today's (UTC) partition exist, so today's events so far
can be captured (and re-captured later in the day).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from dagster import BackfillPolicy, DailyPartitionsDefinition

PARTITIONS_START = "2024-01-01"
FIRST_DAY = date.fromisoformat(PARTITIONS_START)

daily_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC", end_offset=1)

# One run covers a whole date range: an event asset pages newest-first once for the range instead of
# once per day (see assets/posts.py), which is what makes a 30-day backfill cost about one pass.
single_run = BackfillPolicy.single_run()

# Dagster's run tags for a partition range (single-run backfill) and a single partition.
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"
PARTITION_TAG = "dagster/partition"

# Run tag: comma-separated entity names (accounts, hashtags or keywords) to restrict every asset to.
ENTITIES_TAG = "tiktok/entities"


def parse_entities_tag(value: str | None) -> list[str] | None:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``; absent or blank -> ``None`` (meaning: all tracked)."""
    if value is None:
        return None
    names = [part.strip() for part in value.split(",")]
    names = [n for n in names if n]
    return names or None


def day_range_problem(start: date, end: date, today: date) -> str | None:
    """Why ``[start, end]`` cannot be captured, in one line, or ``None`` when it can.

    Why refuse before any request: a day before the partitions' start is not a partition (Dagster
    answers with a bare ``CheckError``), and a day after today (UTC) has not happened, so capturing it
    spends credits to write empty partitions that read as "nothing was posted".
    """
    if end < start:
        return f"end date {end} is before start date {start}"
    if start < FIRST_DAY:
        return f"{start} is before the first partition day {PARTITIONS_START}; the lake has no days before it"
    if end > today:
        return f"{end} is in the future (today is {today} UTC); a day can be captured once it has begun"
    return None


def requested_days(tags: Mapping[str, str]) -> tuple[date, date] | None:
    """The day range a run's tags ask for, read without resolving it against the partitions
    definition (which fails on a day before its start with a bare ``CheckError``); ``None`` when the
    tags name no (parsable) day."""
    first = tags.get(RANGE_START_TAG) or tags.get(PARTITION_TAG)
    last = tags.get(RANGE_END_TAG) or first
    try:
        return (date.fromisoformat(first), date.fromisoformat(last)) if first and last else None
    except ValueError:
        return None
