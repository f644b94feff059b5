"""flatten(): API-shaped items to rows of the exact lake schemas."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pyarrow as pa
import pytest

from lake_api_items import BIG_COUNT, BIG_ID, TRICKY_TEXT, comment, user, video
from tiktok_assets.lake.columns import CALLER_COLUMNS, SPECS
from tiktok_assets.lake.flatten import FlattenError, flatten, flatten_columns, to_batch
from tiktok_assets.lake.ledger import ledger_rows
from tiktok_assets.lake.schemas import API_TABLES, PARTITION_FIELDS, SCHEMAS
from tiktok_assets.scavio.types import LedgerEntry

D = date(2024, 3, 27)
CAPTURED = datetime(2024, 3, 27, 8, 30, 5, tzinfo=timezone.utc)
KW = dict(partition_date=D, captured_at=CAPTURED)


def rows(table, items, entity="tiktok", extra=None):
    batch = flatten(table, items, tracked_entity=entity, extra=extra, **KW)
    assert batch.schema.equals(SCHEMAS[table])
    return batch.to_pylist()


@pytest.mark.parametrize("table", API_TABLES)
def test_every_schema_column_has_exactly_one_source(table):
    item_cols = set(SPECS[table])
    caller = set(CALLER_COLUMNS.get(table, ()))
    partition = {f.name for f in PARTITION_FIELDS}
    assert item_cols | caller | partition == set(SCHEMAS[table].names)
    assert not (partition & (item_cols | caller))


@pytest.mark.parametrize("table", API_TABLES)
def test_empty_items_give_empty_batch_with_exact_schema(table):
    batch = flatten(table, [], tracked_entity="x", **KW)
    assert batch.num_rows == 0 and batch.schema.equals(SCHEMAS[table])


def test_posts_full_mapping():
    [row] = rows("posts", [video(is_top=1)])
    assert row == {
        "aweme_id": BIG_ID, "description": "im so sick of being tired",
        "create_time": datetime(2024, 3, 26, 23, 1, 39, tzinfo=timezone.utc), "is_pinned": True,
        "author_uid": "107955", "author_unique_id": "tiktok", "author_sec_uid": "MS4wLjABAAAAv7iS",
        "author_nickname": "TikTok", "play_count": 12171757, "digg_count": 2002382, "comment_count": 8119,
        "share_count": 274978, "collect_count": 211332, "music_id": "7001", "music_title": "original sound",
        "music_author": "TikTok", "video_duration_ms": 15300, "cover_url": "https://p16.example/cover.jpg",
        "partition_date": D, "tracked_entity": "tiktok", "captured_at": CAPTURED,
        "raw": row["raw"],
    }
    assert json.loads(row["raw"]) == video(is_top=1)


def test_missing_optionals_become_null_not_errors():
    item = {"aweme_id": "1", "video": {"cover": {"url_list": []}}, "author": None, "statistics": {}}
    [row] = rows("videos", [item], extra={"discovered_via": "posts"})
    assert row["aweme_id"] == "1" and row["discovered_via"] == "posts"
    for col in ("description", "create_time", "is_pinned", "author_uid", "play_count", "music_id",
                "music_title", "cover_url", "play_url", "download_url", "video_width", "hashtags", "mentions"):
        assert row[col] is None, col
    [prof] = rows("profiles", [{"unique_id": "a", "sec_uid": "S", "avatar_larger": {"url_list": []}}])
    assert prof["bio_url"] is None and prof["avatar_url"] is None and prof["follower_count"] is None


def test_ids_stay_exact_strings_and_counts_exceed_int32():
    item = video(aweme_id=int(BIG_ID), statistics={"play_count": BIG_COUNT, "digg_count": "4294967297"})
    item["author"]["uid"] = 6812345678901234567
    raw = json.dumps(item)  # the ids travel as JSON numbers: parse like the client would
    [row] = rows("posts", [json.loads(raw)])
    assert row["aweme_id"] == BIG_ID and row["author_uid"] == "6812345678901234567"
    assert row["play_count"] == BIG_COUNT and row["digg_count"] == 4294967297
    batch = flatten("posts", [json.loads(raw)], tracked_entity="t", **KW)
    assert batch.schema.field("play_count").type == pa.int64()


def test_video_detail_hashtags_mentions_and_urls():
    item = video(
        cha_list=[{"cha_name": "fyp"}, {"cha_name": "cooking"}, {"cha_name": "fyp"}, {"cid": "9"}],
        text_extra=[
            {"type": 1, "hashtag_name": "fyp", "user_id": ""},
            {"type": 0, "user_id": "6800000000000000001", "unique_id": "chef", "hashtag_name": ""},
            {"type": 0, "user_id": 6800000000000000002},
            {"user_id": "", "unique_id": ""},
        ],
    )
    [row] = rows("videos", [item], entity="account:tiktok", extra={"discovered_via": "posts"})
    assert row["hashtags"] == ["fyp", "cooking"]
    assert row["mentions"] == ["chef", "6800000000000000002"]
    assert (row["play_url"], row["download_url"]) == ("https://v16.example/play.mp4", "https://v16.example/dl.mp4")
    assert (row["video_width"], row["video_height"], row["video_duration_ms"]) == (576, 1024, 15300)
    assert row["tracked_entity"] == "account:tiktok"


def test_comments_and_replies():
    items = [comment(), comment("7350900000000000002", is_author_digged=0, user={"unique_id": "u"}, aweme_id="55")]
    out = rows("comments", items, extra={"aweme_id": BIG_ID})
    assert [r["cid"] for r in out] == ["7350900000000000001", "7350900000000000002"]
    assert [r["aweme_id"] for r in out] == [BIG_ID, "55"]  # the item's own value wins over extra
    assert [r["is_author_digged"] for r in out] == [True, False]
    assert out[0]["user_avatar_url"] == "https://p16.example/thumb7.jpg" and out[1]["user_avatar_url"] is None
    assert out[0]["reply_comment_total"] == 3 and out[0]["user_sec_uid"] == "MS4wLjABAAAA0007"
    [reply] = rows("comment_replies", [comment("8")], extra={"aweme_id": "1", "reply_to_cid": "7350900000000000001"})
    assert reply["reply_to_cid"] == "7350900000000000001" and reply["cid"] == "8"


@pytest.mark.parametrize("where", ["challengeInfo", "challenge"])
def test_hashtags_stats_in_either_place(where):
    challenge = {"id": 229207, "title": "fyp", "desc": ""}
    stats = {"videoCount": 0, "viewCount": BIG_COUNT}
    info = {"challenge": {**challenge, "stats": stats}} if where == "challenge" else {"challenge": challenge, "stats": stats}
    [row] = rows("hashtags", [{"challengeInfo": info}], entity="fyp")
    assert (row["hashtag_id"], row["hashtag_name"], row["description"]) == ("229207", "fyp", "")
    assert (row["video_count"], row["view_count"]) == (0, BIG_COUNT)


def test_search_users_and_ranks_per_item():
    items = [{"user_info": user(1)}, {"user_info": user(2, follower_count=BIG_COUNT)}]
    out = rows("search_users", items, entity="cooking recipe", extra={"keyword": "cooking recipe", "search_rank": [21, 22]})
    assert [(r["search_rank"], r["unique_id"], r["keyword"]) for r in out] == [(21, "user1", "cooking recipe"), (22, "user2", "cooking recipe")]
    assert out[1]["follower_count"] == BIG_COUNT and out[0]["avatar_url"] == "https://p16.example/thumb1.jpg"
    assert json.loads(out[0]["raw"]) == items[0]  # raw keeps the whole user_list entry
    sv = rows("search_videos", [video("1"), video("2")], extra={"keyword": "k", "search_rank": [1, 2], "publish_time_window": "7"})
    assert [(r["aweme_id"], r["search_rank"], r["publish_time_window"]) for r in sv] == [("1", 1, "7"), ("2", 2, "7")]


def test_followers_owner_and_profile_avatar():
    out = rows("followers", [user(1), user(2)], extra={"owner_sec_uid": "OWNER", "owner_unique_id": "tiktok"})
    assert [(r["owner_sec_uid"], r["uid"]) for r in out] == [("OWNER", "107951"), ("OWNER", "107952")]
    prof = {"user": user(3, avatar_larger={"url_list": ["https://p16.example/large.jpg"]}, bio_url="linktr.ee/x",
                         following_count=1, total_favorited=457945663)}
    [row] = rows("profiles", [prof])
    assert (row["avatar_url"], row["bio_url"], row["total_favorited"]) == ("https://p16.example/large.jpg", "linktr.ee/x", 457945663)
    [hv] = rows("hashtag_videos", [video()], extra={"hashtag_id": 229207, "hashtag_name": "fyp"})
    assert (hv["hashtag_id"], hv["hashtag_name"]) == ("229207", "fyp")


def test_tricky_text_survives():
    [row] = rows("comments", [comment(text=TRICKY_TEXT)], extra={"aweme_id": "1"})
    assert row["text"] == TRICKY_TEXT and json.loads(row["raw"])["text"] == TRICKY_TEXT
    assert "🎉" in row["raw"]  # ensure_ascii=False


@pytest.mark.parametrize("table, items, extra, message", [
    ("posts", [video(), {"desc": "no id"}], None, "'aweme_id' is null for item 1"),
    ("followers", [user(1)], None, "'owner_sec_uid' is missing (pass it in extra)"),
    ("search_users", [{"user_info": user(1)}], {"keyword": "k", "search_rank": [1, 2]}, "extra['search_rank'] has 2 values for 1 items"),
    ("posts", [video()], {"keywrd": "k"}, "extra['keywrd'] is not a column of posts"),
    ("posts", [video()], {"tracked_entity": "k"}, "set from the flatten() arguments"),
    ("search_users", [{"user_info": user(1)}], {"keyword": "k", "search_rank": "first"}, "'first' is not a valid int64"),
    ("credit_ledger", [], None, "use ledger_rows()"),
    ("posts", ["not a dict"], None, "item 0 is a str"),
])
def test_bad_input_names_the_fault(table, items, extra, message):
    with pytest.raises(FlattenError, match=None) as info:
        flatten(table, items, tracked_entity="t", extra=extra, **KW)
    assert message in str(info.value)


def test_naive_captured_at_is_refused():
    with pytest.raises(FlattenError, match="timezone-aware"):
        flatten("posts", [video()], partition_date=D, tracked_entity="t", captured_at=datetime(2024, 1, 1))


def test_ledger_rows_partition_date_is_utc_day_of_request():
    def entry(at, run_id="run-1"):
        return LedgerEntry(endpoint="/api/v1/tiktok/profile", params_hash="abc", http_status=200, credits_used=1,
                           credits_remaining=11753, latency_ms=12.5, requested_at=at, asset="profiles",
                           partition="tiktok|2024-03-26", entity="tiktok", run_id=run_id)

    before_midnight = datetime(2024, 3, 26, 23, 59, 59, 900000, tzinfo=timezone.utc).timestamp()
    batch = ledger_rows([entry(before_midnight), entry(before_midnight + 0.2, run_id=None)], run_id="run-2")
    assert batch.schema.equals(SCHEMAS["credit_ledger"])
    out = batch.to_pylist()
    assert [r["partition_date"] for r in out] == [date(2024, 3, 26), date(2024, 3, 27)]
    assert [r["run_id"] for r in out] == ["run-1", "run-2"]
    assert out[0]["credits_remaining"] == 11753 and out[0]["latency_ms"] == 12.5
    with pytest.raises(FlattenError, match="no run_id"):
        ledger_rows([entry(before_midnight, run_id=None)])


def test_pages_joined_as_columns_convert_to_the_rows_of_each_page():
    """What the sink does with held pages: their columns joined, one conversion, the same rows in order."""
    pages = [[comment("1"), comment("2", text=TRICKY_TEXT)], [comment("3", digg_count=BIG_COUNT)]]
    joined: dict[str, list] = {}
    for page in pages:
        for name, values in flatten_columns("comments", page, tracked_entity="a", extra={"aweme_id": BIG_ID}, **KW).items():
            joined.setdefault(name, []).extend(values)
    assert list(joined) == SCHEMAS["comments"].names
    batch = to_batch("comments", joined)
    assert batch.schema.equals(SCHEMAS["comments"])
    assert batch.to_pylist() == rows("comments", pages[0], "a", {"aweme_id": BIG_ID}) + rows("comments", pages[1], "a", {"aweme_id": BIG_ID})
    assert [r["cid"] for r in batch.to_pylist()] == ["1", "2", "3"] and batch.column("digg_count")[2].as_py() == BIG_COUNT


def test_a_value_the_schema_cannot_hold_fails_at_conversion_naming_the_table():
    """flatten_columns leaves Arrow types to to_batch: a bool column given a word fails there, in one line."""
    columns = flatten_columns("comments", [comment("1", is_author_digged=None)], tracked_entity="a",
                              extra={"aweme_id": "9", "is_author_digged": "maybe"}, **KW)
    assert columns["is_author_digged"] == ["maybe"]
    with pytest.raises(FlattenError) as info:
        to_batch("comments", columns)
    assert str(info.value).startswith("comments: values do not fit the schema") and "\n" not in str(info.value)
