"""posts with ``seek``: a backfill of an old range skips the pages above it with a seeded cursor,
and stays complete when the server ignores the seed (the reference does not say it is honoured)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from tests.assets.conftest import DEMO, check
from tests.assets.truth import lake_ids, one_pass_pages, posts_in
from tests.completeness.conftest import notes_of, range_metadata, requests_to, sent
from tiktok_assets.assets.windows import Window, today_utc, utc_day
from tiktok_assets.simulator.config import ADVERSARIAL

ACCOUNTS = DEMO["accounts"]
SEEK = {"ops": {"tiktok_events": {"config": {"posts": {"seek": True}}}}}


def old_window() -> Window:
    today = today_utc()
    return Window(today - timedelta(days=300), today - timedelta(days=290))  # the demo accounts post for a year


def seek_applies(u, account: str, w: Window) -> bool:
    """Page 1 (30 newest posts, no pins with the quirks off) is entirely newer than the range."""
    return min(p["create_time"] for p in u.posts_of(account)[:30]) >= w.end_ts_exclusive


def seeded_pages(u, account: str, w: Window, count: int = 30) -> int:
    """Pages of a stream seeded at the range end down to the page holding the first post before it."""
    older = [p for p in u.posts_of(account) if p["create_time"] < w.end_ts_exclusive]
    if not older:
        return 1
    k = next((i for i, p in enumerate(older) if utc_day(p["create_time"]) < w.start), len(older))
    return min(-(-len(older) // count), k // count + 1)


def lake_window_ids(p, account: str, w: Window) -> list[str]:
    return [i for d in w.days() for i in lake_ids(p.lake, "posts", d, account)]


@pytest.mark.parametrize("mode", ["honour", "ignore"])
def test_seek_is_complete_whether_or_not_the_server_honours_it(make_pipeline, simulator_factory, mode) -> None:
    sim = simulator_factory(posts_seeded_cursor=mode, quirks=frozenset())  # clean streams: exact page counts
    p, u, w = make_pipeline(sim), sim.universe, old_window()
    p.track(accounts=ACCOUNTS)
    assert all(seek_applies(u, a, w) for a in ACCOUNTS), "the range must start below page 1 for the test to mean anything"
    result = p.run(["posts"], w.start, w.end, run_config=SEEK)
    assert result.success and check(result, "posts").passed
    for a in ACCOUNTS:
        got = lake_window_ids(p, a, w)
        assert sorted(got) == sorted(posts_in(u, a, w)) and max(Counter(got).values(), default=1) == 1, a
    full = sum(one_pass_pages(u, a, w) for a in ACCOUNTS)
    if mode == "honour":  # page 1 + the seeded stream: the pages above the range are skipped
        assert requests_to(sim, "user/posts") == sum(1 + seeded_pages(u, a, w) for a in ACCOUNTS) < full
        assert all("seek: listed from a seeded cursor" in n for n in notes_of(range_metadata(result, "posts")).values())
    else:  # one page spent on the ignored seed, then the ordinary pass from page 1's cursor
        assert requests_to(sim, "user/posts") == full + len(ACCOUNTS)
        assert all("did not honour a seeded cursor" in n for n in notes_of(range_metadata(result, "posts")).values())
    seeds = [b for b in sent(sim, "user/posts") if b["cursor"] == str(w.end_ts_exclusive * 1000)]
    assert len(seeds) == len(ACCOUNTS)


def test_seek_with_every_quirk_against_an_ignoring_server(make_pipeline, simulator_factory) -> None:
    sim = simulator_factory(**ADVERSARIAL)  # pins first, short pages, repeats, stuck cursors; seeds ignored
    p, u, w = make_pipeline(sim), sim.universe, old_window()
    p.track(accounts=ACCOUNTS)
    result = p.run(["posts"], w.start, w.end, run_config=SEEK)
    assert result.success
    for a in ACCOUNTS:
        got = lake_window_ids(p, a, w)
        assert sorted(got) == sorted(posts_in(u, a, w)) and max(Counter(got).values(), default=1) == 1, a


def test_seek_is_not_tried_when_page_one_reaches_the_range(make_pipeline, simulator_factory) -> None:
    sim = simulator_factory(posts_seeded_cursor="ignore", quirks=frozenset())
    p, u = make_pipeline(sim), sim.universe
    p.track(accounts=ACCOUNTS)
    today = today_utc()
    w = Window(today - timedelta(days=3), today)
    result = p.run(["posts"], w.start, w.end, run_config=SEEK)
    assert result.success
    assert requests_to(sim, "user/posts") == sum(one_pass_pages(u, a, w) for a in ACCOUNTS)  # no page lost
    assert {b["cursor"] for b in sent(sim, "user/posts")} <= {"0"} | {str(v["create_time"] * 1000) for a in ACCOUNTS
                                                                    for v in u.posts_of(a)}
    for a in ACCOUNTS:
        assert sorted(lake_window_ids(p, a, w)) == sorted(posts_in(u, a, w)), a
