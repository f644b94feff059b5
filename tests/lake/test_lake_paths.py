"""Folder layout and reversible key encoding."""

from __future__ import annotations

import re
from datetime import date

import pytest

from lake_api_items import UNSAFE_KEYS
from tiktok_assets.lake.paths import (LakePathError, decode_key, encode_key, parse_partition_path, partition_dir,
                                      partition_file)


@pytest.mark.parametrize("key", UNSAFE_KEYS)
def test_encoding_round_trips_and_is_one_safe_segment(key):
    enc = encode_key(key)
    assert re.fullmatch(r"[A-Za-z0-9\-_.~@%]+", enc), enc
    assert decode_key(enc) == key
    path = partition_file("s3://bucket/lake", "search_videos", date(2026, 11, 20), key)
    assert path == f"s3://bucket/lake/search_videos/date=2026-11-20/keyword={enc}/part-0.parquet"
    assert parse_partition_path(path) == ("search_videos", date(2026, 11, 20), key)


def test_safe_keys_are_readable():
    assert encode_key("tiktok.user_1-a~b@c") == "tiktok.user_1-a~b@c"
    assert encode_key("a b/c") == "a%20b%2Fc"


def test_layout_per_table():
    assert partition_dir("/l", "profiles", "2026-11-20", "account", "tiktok") == "/l/profiles/date=2026-11-20/account=tiktok"
    assert partition_dir("/l", "videos", date(2026, 1, 2), None, "hashtag:fyp") == "/l/videos/date=2026-01-02/source=hashtag%3Afyp"
    assert partition_dir("/l", "credit_ledger", date(2026, 1, 2), None, "run 1") == "/l/credit_ledger/date=2026-01-02/run=run%201"
    assert parse_partition_path("/l/credit_ledger/date=2026-01-02/run=abc").key == "abc"


@pytest.mark.parametrize("call, message", [
    (lambda: encode_key(""), "non-empty"),
    (lambda: partition_dir("/l", "nope", date(2026, 1, 1), None, "k"), "unknown lake table 'nope'"),
    (lambda: partition_dir("/l", "posts", date(2026, 1, 1), "keyword", "k"), "partitioned by 'account'"),
    (lambda: partition_dir("/l", "posts", "20-11-2026", None, "k"), "YYYY-MM-DD"),
    (lambda: parse_partition_path("/l/posts/date=2026-01-01/keyword=k/part-0.parquet"), "expected account="),
    (lambda: parse_partition_path("/l/posts/2026-01-01/account=k"), "bad date folder"),
])
def test_bad_paths_raise_clear_errors(call, message):
    with pytest.raises(LakePathError) as info:
        call()
    assert message in str(info.value)
