"""``tiktok/posts`` (event): videos of each tracked account, filed under the UTC day they were created.

Event semantics: partition D = posts created on D; their statistics are as observed at capture.
Cost: a range D1..D2 (single-run backfill) costs ONE newest-first pagination pass per account: the
pass stops after the page that reaches a non-pinned post older than D1 (newest-first order: all later
posts are older; pinned posts, listed first regardless of age, never stop it). Every (day, account) of the range is written,
empty days as empty files, so reruns are idempotent and the schema is stable.
"""


from typing import Any

from dagster import AssetExecutionContext, MaterializeResult, asset

from . import resolve
from .fanout import EntityOutcome, fan_out
from .resources import LakeResource, ScavioResource
from .runtime import AssetRun, TikTokConfig
from .spec import EVENT, asset_kwargs
from .windows import group_by_day, page_is_older_than


def newest_first_pass(run: AssetRun, pages: Any, outcome: EntityOutcome, *, cap: int | None = None) -> list[dict[str, Any]]:
    """Collect items of a newest-first stream up to the page that reaches past the window start."""
    items: list[dict[str, Any]] = []
    exhausted = True
    for page in pages:
        items.extend(page.items)
        if page_is_older_than(page.items, run.window):
            exhausted = False
            break
    if cap is not None and exhausted and len(items) >= cap:
        outcome.notes.append(f"list cap reached ({len(items)} items); older items are not served by the API")
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
