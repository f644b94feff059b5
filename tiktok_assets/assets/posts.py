"""``tiktok/posts`` (event): videos of each tracked account, filed under the UTC day they were created.

Event semantics: partition D = posts created on D; their statistics are as observed at capture.
Cost: a range D1..D2 (single-run backfill) costs ONE pagination pass per account, stopped early:
the pass stops after the page that reaches a non-pinned post older than D1. This is the only early
stop on ``create_time`` in the package, and it rests on the one time order the reference documents:
``user/posts`` with ``sort_type "0"`` is "latest" (newest-first), so every later post is older. Pinned
posts, listed first regardless of age, never stop it. The pass starts at the first page.
Seek (config ``seek``, off by default), for backfills of old ranges: when page 1 is entirely newer
than the range, the next request seeds ``cursor`` = the range end in ms, skipping the pages between.
The reference does not say a server honours a cursor it never issued, so the answer is verified: it
must hold posts, all older than the seed. Otherwise (ignored, or an empty answer that cannot be told
from "nothing older") that page is the only loss: the pass goes on from page 1's own cursor.
Pages stream into the account's ``DaySink`` as they arrive (the one write path, bounded memory);
every (day, account) of the range is captured, empty days too, so reruns are idempotent and the
schema is stable.
"""


from collections.abc import Iterator
from datetime import date, timedelta
from itertools import chain
from typing import Any


from pydantic import Field

from . import resolve
from .fanout import EntityOutcome, fan_out
from ..budget.resource import BudgetResource
from ..lake.store import LakeResource
from ..scavio.resource import ScavioResource
from .asset_run import AssetBody, AssetEvents, AssetRun, TikTokConfig
from .context import AssetContext
from .sink import DaySink
from .windows import Window, page_is_older_than, today_utc


def newest_first_pass(run: AssetRun, pages: Any, outcome: EntityOutcome, sink: DaySink, seen: set[Any]) -> None:
    """Stream a ``user/posts`` (sort_type "0") stream into ``sink`` up to the page that reaches past
    the window start.

    Only for that stream: it is the one list the reference documents as newest-first. Any other
    stream must be read to its end (or to a stated page limit), never cut on ``create_time``.
    """
    for page in pages:
        add_new(sink, page.items, seen)
        if page.stop_reason:
            outcome.notes.append(f"stream ended after page {page.page_number}: {page.stop_reason}")
        if page_is_older_than(page.items, run.window):
            break


def add_new(sink: DaySink, items: list[dict[str, Any]], seen: set[Any]) -> None:
    """Stage the items not staged yet: a seek reads two streams, so a page-edge repeat is possible."""
    fresh = [i for i in items if i.get("aweme_id") not in seen]
    seen.update(i.get("aweme_id") for i in fresh)
    sink.add(fresh)


class PostsConfig(TikTokConfig):
    reobserve_days: int = Field(default=7, ge=0, le=90, description=(
        "Video performance over time: a daily run (one day, today or yesterday UTC) also re-observes the "
        "posts created in the N days before it, from the same newest-first pass (extra pages only for "
        "accounts that posted more than a page in those days). Each adds one observation per video per capture day."))
    seek: bool = Field(default=False, description=(
        "Backfills of old ranges: when page 1 is entirely newer than the range, ask for the posts older than "
        "the range end with a seeded cursor, verified on the answer. A server that ignores it costs one page."))


def _regular_times(items: list[dict[str, Any]]) -> list[int]:
    """create_time of the non-pinned items (pinned posts are out of time order by design)."""
    out = []
    for item in items:
        try:
            if not item.get("is_top"):
                out.append(int(item["create_time"]))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def seeking_pass(run: AssetRun, sec: str, outcome: EntityOutcome, sink: DaySink, seen: set[Any]) -> None:
    """Page 1, then (when page 1 is entirely newer than the range) a verified seek to the range end,
    else the pass resumed from page 1's own cursor; streamed into ``sink``, deduplicated by id."""
    first = next(run.client.user_posts(sec, max_pages=1), None)
    if first is None:
        return
    add_new(sink, first.items, seen)
    if page_is_older_than(first.items, run.window) or not first.has_more or first.stop_reason:
        if first.stop_reason:
            outcome.notes.append(f"stream ended after page 1: {first.stop_reason}")
        return
    times = _regular_times(first.items)
    rest: Iterator[Any] | None = None
    if times and min(times) >= run.window.end_ts_exclusive:
        seed = run.window.end_ts_exclusive * 1000
        seeded = run.client.user_posts(sec, cursor=str(seed))
        page = next(seeded, None)
        older = _regular_times(page.items) if page is not None else []
        if older and max(older) * 1000 < seed:
            outcome.notes.append(f"seek: listed from a seeded cursor at {run.window.end} 24:00 UTC after page 1")
            rest = chain([page], seeded)
        else:
            seeded.close()
            outcome.notes.append("seek: the server did not honour a seeded cursor (1 page spent); went on from page 1")
    if rest is None:
        rest = run.client.user_posts(sec, cursor=str(first.data["max_cursor"]))
    newest_first_pass(run, rest, outcome, sink, seen)


def reobservation_window(window: Window, days: int, today: date | None = None) -> Window:
    """The run's day widened by ``days`` before it, for a daily run (one day: today or yesterday, UTC).
    A backfill (several days, or old days) is left as it is: it pays for its own range only."""
    today = today or today_utc()
    if days <= 0 or window.start != window.end or window.end < today - timedelta(days=1):
        return window
    return Window(window.start - timedelta(days=days), window.end)


def posts(context: AssetContext, config: PostsConfig, scavio: ScavioResource, lake: LakeResource,
        budget: BudgetResource) -> AssetEvents:
    with AssetRun.start(context, "posts", scavio, lake, config, budget) as run:
        run.window = reobservation_window(run.window, config.reobserve_days)

        def work(account: str, outcome: EntityOutcome) -> None:
            sec = resolve.sec_uid(run, account)
            seen: set[Any] = set()
            with DaySink(run, account, outcome) as sink:  # every day of the window, empty days too
                if config.seek:
                    seeking_pass(run, sec, outcome, sink, seen)
                else:
                    newest_first_pass(run, run.client.user_posts(sec), outcome, sink, seen)

        yield from run.finish(fan_out(run, run.select("accounts"), work))


# the bodies of this module by asset name, with their config class (run by ``families.py``)
BODIES = {"posts": AssetBody(posts, PostsConfig)}
