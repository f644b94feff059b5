"""The switches for what the reference leaves open: list orders and a seeded posts cursor."""

from __future__ import annotations

import argparse

import pytest

from tiktok_assets.cli.simulator_cmd import add_arguments, config_from_args
from tiktok_assets.simulator import SimulatorConfig, Universe
from tiktok_assets.simulator.config import ADVERSARIAL, LIST_ORDERS


def universe(**orders: str) -> Universe:
    return Universe.from_config(SimulatorConfig(seed=42, api_key="k", now=1_790_000_000, n_generated_accounts=4, **orders))


def descending(values: list) -> bool:
    return values == sorted(values, reverse=True)


def test_each_order_is_served_and_the_set_stays_the_same() -> None:
    by_likes, by_time = universe(), universe(hashtag_video_order="newest", comment_order="newest",
                                             reply_order="oldest", search_video_order="newest")
    tag = by_likes.hashtag_id_of("cooking")
    feed_l, feed_t = by_likes.hashtag_videos_of(tag), by_time.hashtag_videos_of(tag)
    assert descending([v["statistics"]["digg_count"] for v in feed_l]) and descending([v["create_time"] for v in feed_t])
    assert {v["aweme_id"] for v in feed_l} == {v["aweme_id"] for v in feed_t} and feed_l != feed_t
    vid = next(v["aweme_id"] for v in by_likes.posts_of("chef_lina") if len(by_likes.comments_of(v["aweme_id"])) > 20)
    c_l, c_t = by_likes.comments_of(vid), by_time.comments_of(vid)
    assert descending([c["digg_count"] for c in c_l]) and descending([c["create_time"] for c in c_t])
    assert {c["cid"] for c in c_l} == {c["cid"] for c in c_t}
    cid = next(c["cid"] for c in c_l if c["reply_comment_total"] > 5)
    r_l, r_t = by_likes.replies_of(vid, cid), by_time.replies_of(vid, cid)
    assert descending([r["digg_count"] for r in r_l]) and [r["create_time"] for r in r_t] == sorted(r["create_time"] for r in r_t)
    assert {r["cid"] for r in r_l} == {r["cid"] for r in r_t}
    s_rel, s_new = by_likes.search_videos("cooking recipe"), by_time.search_videos("cooking recipe")
    assert descending([v["create_time"] for v in s_new]) and not descending([v["create_time"] for v in s_rel])
    assert {v["aweme_id"] for v in s_rel} == {v["aweme_id"] for v in s_new}


def test_cli_flags_and_bad_values() -> None:
    p = argparse.ArgumentParser()
    add_arguments(p)
    args = p.parse_args(["--api-key", "k", "--hashtag-video-order", "newest", "--reply-order", "oldest",
                         "--posts-seeded-cursor", "ignore"])
    cfg = config_from_args(args)
    assert (cfg.hashtag_video_order, cfg.reply_order, cfg.posts_seeded_cursor) == ("newest", "oldest", "ignore")
    assert (cfg.comment_order, cfg.search_video_order) == ("likes", "relevance")  # defaults: TikTok's orders
    with pytest.raises(SystemExit):
        p.parse_args(["--comment-order", "oldest"])  # not an order the switch offers
    with pytest.raises(ValueError, match="hashtag_video_order must be one of"):
        SimulatorConfig(api_key="k", hashtag_video_order="random")
    assert set(ADVERSARIAL) == {*LIST_ORDERS, "posts_seeded_cursor"}
