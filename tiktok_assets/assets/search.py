"""``tiktok/search_videos`` (event) and ``tiktok/search_users`` (snapshot), per tracked keyword.

search_videos: partition D = search results created on D. Search is ranked by relevance (or likes),
never by time, so a run reads the result stream to its end (``has_more``), never stopping on
``create_time``. It asks for the smallest ``publish_time`` filter ("1","7","30","90","180", else
"0" = all time) that still covers the range start: a documented server-side filter, so it only
narrows what the server sends; items created in the range are kept. Cost: the pages of that filtered
stream (search streams are shallow, ~300 results). ``search_rank`` is the 1-based position in the
result stream (relevance order), before filtering.
search_users: partition D = the users the search returned when captured on D (ranked); only today's
(UTC) partition can be materialized.
Both stream each keyword's pages into its ``DaySink`` as they arrive (bounded memory); the rank runs
on across pages.
"""


from datetime import date
from typing import Any


from .fanout import EntityOutcome, fan_out
from ..budget.resource import BudgetResource
from ..lake.store import LakeResource
from ..scavio.resource import ScavioResource
from .asset_run import AssetBody, AssetEvents, AssetRun, TikTokConfig
from .context import AssetContext
from .sink import DaySink
from .windows import publish_time_bucket, utc_day


def search_videos(context: AssetContext, config: TikTokConfig, scavio: ScavioResource, lake: LakeResource,
        budget: BudgetResource) -> AssetEvents:
    with AssetRun.start(context, "search_videos", scavio, lake, config, budget) as run:
        bucket = publish_time_bucket(run.window)

        def work(keyword: str, outcome: EntityOutcome) -> None:
            served = 0  # results paged past: a page's ranks follow the ones before it
            with DaySink(run, keyword, outcome) as sink:  # every day of the window, empty days too
                for page in run.client.search_videos(keyword, publish_time=bucket):  # to the end: no time order
                    by_day: dict[date, tuple[list[dict[str, Any]], list[int]]] = {}
                    for rank, item in enumerate(page.items, start=served + 1):
                        day = utc_day(item.get("create_time"))
                        if day is not None and run.window.contains(day):
                            items, ranks = by_day.setdefault(day, ([], []))
                            items.append(item)
                            ranks.append(rank)
                    served += len(page.items)
                    for day, (items, ranks) in by_day.items():
                        sink.add(items, {"keyword": keyword, "search_rank": ranks, "publish_time_window": bucket}, day=day)
                    if page.stop_reason:
                        outcome.notes.append(f"results ended after page {page.page_number}: {page.stop_reason}")

        yield from run.finish(fan_out(run, run.select("keywords"), work), extra={"publish_time": bucket})


def search_users(context: AssetContext, config: TikTokConfig, scavio: ScavioResource, lake: LakeResource,
        budget: BudgetResource) -> AssetEvents:
    with AssetRun.start(context, "search_users", scavio, lake, config, budget) as run:

        def work(keyword: str, outcome: EntityOutcome) -> None:
            served = 0
            with DaySink(run, keyword, outcome) as sink:  # today's capture, also when nothing is found
                for page in run.client.search_users(keyword):
                    ranks = list(range(served + 1, served + len(page.items) + 1))
                    served += len(page.items)
                    sink.add(page.items, {"keyword": keyword, "search_rank": ranks}, day=run.window.start)

        yield from run.finish(fan_out(run, run.select("keywords"), work))


# the bodies of this module by asset name, with their config class (run by ``families.py``)
BODIES = {"search_users": AssetBody(search_users, TikTokConfig), "search_videos": AssetBody(search_videos, TikTokConfig)}
