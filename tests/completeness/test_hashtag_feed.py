"""hashtag_videos against a feed ranked by likes: the capture keeps every video paged past.

The reference documents no order for ``hashtag/videos``. The old asset stopped at the first page
older than the window (newest-first assumed): against this order it kept 0 of today's 14 ``fyp``
videos and 5 of 91 created in the six days before (cooking 2/15, fyp 3/76), reporting success.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from tests.assets.conftest import check, metadata
from tests.assets.truth import ids, lake_ids
from tests.completeness.conftest import admin_stats, notes_of, requests_to, served
from tiktok_assets.assets.hashtags import HASHTAG_FEED_MAX_PAGES
from tiktok_assets.assets.windows import today_utc, utc_day

TAGS = ["cooking", "fyp"]


def feed(sim, name: str) -> list[dict]:
    return sim.universe.hashtag_videos_of(sim.universe.hashtag_id_of(name))


def test_feed_is_served_by_likes_not_time(adversarial_simulator) -> None:
    """The switch really breaks the newest-first assumption (else the tests below prove nothing)."""
    for name in TAGS:
        videos = feed(adversarial_simulator, name)
        likes = [v["statistics"]["digg_count"] for v in videos]
        times = [v["create_time"] for v in videos[:30]]
        assert likes == sorted(likes, reverse=True) and times != sorted(times, reverse=True)


def test_whole_feed_captured_with_every_video_kept(adversarial_pipeline) -> None:
    p, sim, today = adversarial_pipeline, adversarial_pipeline.sim, today_utc()
    p.track(hashtags=TAGS)
    deep = 100  # deeper than the API's ~2,000 cap (67 pages): every feed is read to its end
    result = p.run(["hashtags", "hashtag_videos"], today, run_config={"ops": {"tiktok_snapshots": {"config": {"hashtag_videos": {"max_pages": deep}}}}})
    assert result.success and check(result, "hashtag_videos").passed
    md = metadata(result, "hashtag_videos")
    for name in TAGS:
        got = lake_ids(p.lake, "hashtag_videos", today, name)
        truth = ids(feed(sim, name))
        assert sorted(got) == sorted(truth) and not [i for i, n in Counter(got).items() if n > 1], name
    # kept whatever their creation day: most of the feed was created before the capture day
    days = {utc_day(v["create_time"]) for name in TAGS for v in feed(sim, name)}
    assert len(days) > 30 and min(days) < today - timedelta(days=30)
    # one capture per hashtag, filed under the capture day
    assert p.lake.partitions("hashtag_videos") == [(today, name) for name in sorted(TAGS)]
    # fyp is cut by the API's list cap: recorded, not an error; cooking ended on its own
    assert len(feed(sim, "fyp")) == sim.config.hashtag_video_cap
    notes = notes_of(md)
    assert "API list cap reached (2000 videos)" in notes["fyp"] and "cap" not in notes["cooking"]
    assert md["feeds_capped"] == 1 and md["max_pages"] == deep
    # credits: one per page, counted at the simulator
    pages = requests_to(sim, "hashtag/videos")
    assert md["pages"] == md["credits_used"] == pages and pages >= len(feed(sim, "fyp")) // 30


def test_depth_limit_is_recorded_and_everything_paged_past_is_kept(adversarial_pipeline) -> None:
    p, sim, today = adversarial_pipeline, adversarial_pipeline.sim, today_utc()
    p.track(hashtags=TAGS)
    result = p.run(["hashtags", "hashtag_videos"], today)
    assert result.success
    md = metadata(result, "hashtag_videos")
    # exactly max_pages requests per hashtag (both feeds are longer than 10 pages), one credit each
    assert all(len(feed(sim, name)) > HASHTAG_FEED_MAX_PAGES * 30 for name in TAGS)
    assert requests_to(sim, "hashtag/videos") == md["credits_used"] == HASHTAG_FEED_MAX_PAGES * len(TAGS)
    assert admin_stats(sim)["charged"] == HASHTAG_FEED_MAX_PAGES * len(TAGS) + len(TAGS)  # + one /hashtag each
    # every video the server sent is in the lake (the server's answers, replayed, are the oracle)
    for name in TAGS:
        sent_ids = ids(served(sim, "hashtag/videos", "hashtag_videos", hashtag_id=sim.universe.hashtag_id_of(name)))
        got = lake_ids(p.lake, "hashtag_videos", today, name)
        assert sorted(got) == sorted(sent_ids), name
        assert set(got) == ids(feed(sim, name)[: len(got)]), name  # the top of the feed, without a gap
    assert md["feeds_capped"] == len(TAGS) and md["max_pages"] == HASHTAG_FEED_MAX_PAGES
    assert result.success and check(result, "hashtag_videos").passed


def test_a_run_for_past_days_captures_the_feed_now_under_today(adversarial_pipeline) -> None:
    """hashtag_videos has no partitions (a feed can only be observed now): a run launched for past
    days (a UI backfill of the group) captures today's feed, filed under today, never a past day."""
    p = adversarial_pipeline
    p.track(hashtags=TAGS)
    result = p.run(["hashtag_videos"], today_utc() - timedelta(days=1))
    assert result.success
    assert requests_to(p.sim, "hashtag/videos") > 0
    assert {d for d, _k in p.lake.partitions("hashtag_videos")} == {today_utc()}
