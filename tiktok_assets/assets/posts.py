"""``tiktok/posts`` (event): videos of each tracked account, filed under the UTC day they were created.

Event semantics: partition D = posts created on D; their statistics are as observed at capture.
Cost: a range D1..D2 (single-run backfill) costs ONE pagination pass per account, stopped early:
the pass stops after the page that reaches a non-pinned post older than D1. This is the only early
stop on ``create_time`` in the package, and it rests on the one time order the reference documents:
``user/posts`` with ``sort_type "0"`` is "latest" (newest-first), so every later post is older. Pinned
posts, listed first regardless of age, never stop it. The pass always starts at the first page: the
client never seeds a cursor (the reference does not say whether a seeded ``max_cursor`` is honoured).
Every (day, account) of the range is written, empty days as empty files, so reruns are idempotent and
the schema is stable.
"""


from typing import Any

from dagster import AssetExecutionContext, MaterializeResult, asset

from . import resolve
from .fanout import EntityOutcome, fan_out
from .resources import LakeResource, ScavioResource
from .runtime import AssetRun, TikTokConfig
from .spec import EVENT, asset_kwargs
from .windows import group_by_day, page_is_older_than


def newest_first_pass(run: AssetRun, pages: Any, outcome: EntityOutcome) -> list[dict[str, Any]]:
    """Collect a ``user/posts`` (sort_type "0") stream up to the page that reaches past the window start.

    Only for that stream: it is the one list the reference documents as newest-first. Any other
    stream must be read to its end (or to a stated page limit), never cut on ``create_time``.
    """
    items: list[dict[str, Any]] = []
    for page in pages:
        items.extend(page.items)
        if page.stop_reason:
            outcome.notes.append(f"stream ended after page {page.page_number}: {page.stop_reason}")
        if page_is_older_than(page.items, run.window):
            break
    return items


def write_days(run: AssetRun, key: str, items: list[dict[str, Any]], outcome: EntityOutcome, extra: dict[str, Any] | None = None) -> None:
    """Write every day of the window for ``key`` (empty days too); ``extra`` values are scalars."""
    for day, day_items in group_by_day(items, run.window).items():
        outcome.rows += run.write(key, day, day_items, extra=extra)
        outcome.partitions += 1


@asset(**asset_kwargs("posts", semantics=EVENT, description=__doc__, deps=["profiles"]))
def posts(context: AssetExecutionContext, config: TikTokConfig, scavio: ScavioResource, lake: LakeResource) -> MaterializeResult:
    with AssetRun.start(context, "posts", scavio, lake, config) as run:

        def work(account: str, outcome: EntityOutcome) -> None:
            sec = resolve.sec_uid(run, account)
            items = newest_first_pass(run, run.client.user_posts(sec), outcome)
            write_days(run, account, items, outcome)

        return run.finish(fan_out(run, run.select("accounts"), work))
