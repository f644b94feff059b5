"""The one partitions definition every TikTok asset shares, and the run tag that picks entities.

Why a single ``DailyPartitionsDefinition`` and no entity dimension: tracked entities change often and
number in the thousands, while days are regular. A multi-partition (entity x day) grid multiplies the
partition count (1,000 accounts x 730 days = 730,000 keys), slows the UI and the daemon, and hits
known single-run-backfill bugs with ``MultiPartitionsDefinition`` (dagster #18852, #23996, #28861).
Instead each run fans out over the tracked entities of ``tracked.yaml``; a subset is chosen with the
``tiktok/entities`` run tag (settable on a UI backfill) or per-asset config. ``end_offset=1`` makes
today's (UTC) partition exist, because snapshot assets can only be captured "today".
"""

from __future__ import annotations

from dagster import BackfillPolicy, DailyPartitionsDefinition

PARTITIONS_START = "2024-01-01"

daily_partitions = DailyPartitionsDefinition(start_date=PARTITIONS_START, timezone="UTC", end_offset=1)

# One run covers a whole date range: an event asset pages newest-first once for the range instead of
# once per day (see assets/posts.py), which is what makes a 30-day backfill cost about one pass.
single_run = BackfillPolicy.single_run()

# Run tag: comma-separated entity names (accounts, hashtags or keywords) to restrict every asset to.
ENTITIES_TAG = "tiktok/entities"


def parse_entities_tag(value: str | None) -> list[str] | None:
    """``"a, b,,c"`` -> ``["a", "b", "c"]``; absent or blank -> ``None`` (meaning: all tracked)."""
    if value is None:
        return None
    names = [part.strip() for part in value.split(",")]
    names = [n for n in names if n]
    return names or None
