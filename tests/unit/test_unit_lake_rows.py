"""API JSON to lake rows without a lake: value coercion, flattening into the explicit schemas, and the
``credit_ledger`` rows built from any record with the ledger's fields (the lake imports no client type)."""

from __future__ import annotations

import json
from dataclasses import MISSING, field, fields, make_dataclass
from datetime import UTC, date, datetime, timedelta, timezone

import pyarrow as pa
import pytest

from tiktok_assets.lake.coerce import INT64_MAX, dig, first_url, first_url_of, to_bool, to_id, to_int, to_text
from tiktok_assets.lake.flatten import FlattenError, epoch_seconds, flatten, raw_json
from tiktok_assets.lake.ledger import ledger_rows
from tiktok_assets.lake.schemas import SCHEMAS
from tiktok_assets.scavio.types import LedgerEntry

D = date(2026, 11, 20)
CAPTURED = datetime(2026, 11, 20, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize(("value", "expected"), [
    (7350000000000000001, "7350000000000000001"), ("  42 ", "42"), (42.0, "42"), (42.5, None), ("", None),
    ("   ", None), (True, None), (None, None), ({"id": 1}, None), ([1], None),
])
def test_to_id(value, expected):
    assert to_id(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (5, 5), ("12", 12), (" 12 ", 12), ("1e3", 1000), ("3.0", 3), ("3.5", None), (3.0, 3), (float("nan"), None),
    (float("inf"), None), ("inf", None), ("abc", None), (True, 1), (None, None), (2**63, None), (INT64_MAX, INT64_MAX),
    (-(2**63), -(2**63)), (str(3_000_000_000), 3_000_000_000), ([], None),
])
def test_to_int(value, expected):
    assert to_int(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (1, True), (0, False), (1.0, True), (2, None), ("true", True), (" 0 ", False), ("FALSE", False), ("yes", None),
    (True, True), (None, None), ([], None),
])
def test_to_bool(value, expected):
    assert to_bool(value) is expected


def test_to_text_dig_and_urls():
    assert to_text("") == "" and to_text("a\nb") == "a\nb" and to_text(12) == "12" and to_text(1.5) == "1.5"
    assert to_text(True) is None and to_text({"a": 1}) is None
    item = {"a": {"b": {"c": 3}}, "x": [1]}
    assert dig(item, "a", "b", "c") == 3 and dig(item, "a", "z", "c") is None and dig(item, "x", "y") is None
    assert first_url({"url_list": ["u1", "u2"]}) == "u1" and first_url("u") == "u"
    assert first_url({"url_list": []}) is None and first_url({"url_list": [""]}) is None and first_url("") is None
    obj = {"avatar_thumb": {"url_list": []}, "avatar_medium": {"url_list": ["m"]}, "avatar_larger": {"url_list": ["l"]}}
    assert first_url_of(obj, "avatar_thumb", "avatar_medium", "avatar_larger") == "m"
    assert first_url_of(obj, "nope") is None


def post(aweme_id="7350000000000000001", **over):
    item = {"aweme_id": aweme_id, "desc": "hi 🍜\n\"quoted\"", "create_time": "1763620000", "is_top": 1,
            "author": {"uid": 123, "unique_id": "chef_lina", "sec_uid": "MS4w", "nickname": "Lina"},
            "statistics": {"play_count": 3_000_000_000, "digg_count": "17", "comment_count": 2},
            "video": {"duration": 15000, "cover": {"url_list": []}, "origin_cover": {"url_list": ["c"]}}}
    item.update(over)
    return item


def test_flatten_posts_maps_every_documented_field():
    batch = flatten("posts", [post(), post("2", is_top=0, music={"id": 9, "title": "t"}, statistics=None)],
                    partition_date=D, tracked_entity="chef_lina", captured_at=CAPTURED)
    assert batch.schema == SCHEMAS["posts"]
    rows = batch.to_pylist()
    first = rows[0]
    assert (first["aweme_id"], first["description"], first["is_pinned"]) == ("7350000000000000001", "hi 🍜\n\"quoted\"", True)
    assert first["create_time"] == datetime.fromtimestamp(1763620000, tz=timezone.utc)
    assert (first["author_uid"], first["author_unique_id"], first["author_sec_uid"]) == ("123", "chef_lina", "MS4w")
    assert (first["play_count"], first["digg_count"], first["comment_count"], first["share_count"]) == (3_000_000_000, 17, 2, None)
    assert (first["video_duration_ms"], first["cover_url"], first["music_id"]) == (15000, "c", None)
    assert (first["partition_date"], first["tracked_entity"]) == (D, "chef_lina")
    assert first["captured_at"] == CAPTURED.replace(second=0)  # whole seconds, UTC
    assert json.loads(first["raw"]) == post() and "🍜" in first["raw"]
    assert (rows[1]["is_pinned"], rows[1]["music_id"], rows[1]["music_title"], rows[1]["play_count"]) == (False, "9", "t", None)


def test_flatten_extra_columns_broadcast_per_item_and_fill_only_nulls():
    items = [post("1"), post("2"), post("3")]
    batch = flatten("search_videos", items, partition_date=D, tracked_entity="cooking recipe", captured_at=CAPTURED,
                    extra={"keyword": "cooking recipe", "search_rank": [1, 2, "3"], "publish_time_window": "7"})
    rows = batch.to_pylist()
    assert [(r["keyword"], r["search_rank"], r["publish_time_window"]) for r in rows] == [
        ("cooking recipe", 1, "7"), ("cooking recipe", 2, "7"), ("cooking recipe", 3, "7")]
    comments = flatten("comments", [{"cid": "c1", "aweme_id": "own"}, {"cid": "c2"}], partition_date=D,
                       tracked_entity="chef_lina", captured_at=CAPTURED, extra={"aweme_id": "from-caller"})
    assert [r["aweme_id"] for r in comments.to_pylist()] == ["own", "from-caller"]


def test_flatten_empty_page_has_the_exact_schema():
    batch = flatten("followers", [], partition_date=D, tracked_entity="a", captured_at=CAPTURED)
    assert batch.num_rows == 0 and batch.schema == SCHEMAS["followers"]


@pytest.mark.parametrize(("table", "items", "kwargs", "message"), [
    ("credit_ledger", [], {}, "cannot flatten table 'credit_ledger' (use ledger_rows())"),
    ("nope", [], {}, "cannot flatten table 'nope'"),
    ("posts", [{"desc": "no id"}], {}, "posts: required column 'aweme_id' is null for item 0"),
    ("posts", ["text"], {}, "posts: item 0 is a str, not a JSON object"),
    ("posts", [post()], {"tracked_entity": ""}, "posts: tracked_entity must be a non-empty string"),
    ("posts", [post()], {"partition_date": datetime(2026, 11, 20)}, "posts: partition_date must be a date"),
    ("posts", [post()], {"captured_at": datetime(2026, 11, 20)}, "captured_at must be a timezone-aware datetime"),
    ("posts", [post()], {"extra": {"raw": "x"}}, "posts: extra['raw'] is set from the flatten() arguments"),
    ("posts", [post()], {"extra": {"bogus": 1}}, "posts: extra['bogus'] is not a column of posts"),
    ("search_videos", [post(), post("2")], {"extra": {"keyword": "k", "search_rank": [1]}},
     "search_videos: extra['search_rank'] has 1 values for 2 items"),
    ("search_videos", [post()], {"extra": {"keyword": "k", "search_rank": "first"}},
     "search_videos: extra['search_rank'] value 'first' is not a valid int64"),
])
def test_flatten_refuses_rows_that_could_not_be_joined(table, items, kwargs, message):
    args = {"partition_date": D, "tracked_entity": "e", "captured_at": CAPTURED, **kwargs}
    with pytest.raises(FlattenError) as info:
        flatten(table, items, **args)
    assert str(info.value).startswith(message), str(info.value)


def test_epoch_seconds_and_raw_json():
    assert epoch_seconds(datetime(2026, 11, 20, 1, tzinfo=timezone(timedelta(hours=1)))) == 1795132800  # 00:00 UTC
    assert raw_json({"b": "é", "a": [1, None]}) == '{"b":"é","a":[1,null]}'


# Not the client's LedgerEntry: any record with the ledger's fields makes rows (the lake reads a protocol).
Request = make_dataclass("Request", [(f.name, f.type) if f.default is MISSING else (f.name, f.type, field(default=f.default))
                                     for f in fields(LedgerEntry)], frozen=True)


def test_ledger_rows_from_plain_records_file_each_request_under_its_utc_day():
    midnight = datetime(2026, 11, 21, tzinfo=UTC).timestamp()
    batch = ledger_rows([Request("/api/v1/tiktok/profile", "h1", 200, 1, 99, 12.5, midnight - 0.5, "profiles",
                                 "2026-11-20", "chef_lina", run_id="own-run"),
                         Request("/api/v1/tiktok/profile", "h2", 429, 0, None, 3.0, midnight + 1.9)], run_id="run-2")
    assert batch.schema == SCHEMAS["credit_ledger"]
    rows = batch.to_pylist()
    assert [(r["run_id"], r["partition_date"], r["http_status"], r["credits_used"], r["credits_remaining"])
            for r in rows] == [("own-run", date(2026, 11, 20), 200, 1, 99), ("run-2", date(2026, 11, 21), 429, 0, None)]
    assert rows[1]["requested_at"] == datetime(2026, 11, 21, 0, 0, 1, tzinfo=UTC) and rows[0]["flush_id"] is None
    assert (rows[0]["asset"], rows[0]["partition"], rows[0]["entity"], rows[0]["latency_ms"]) == (
        "profiles", "2026-11-20", "chef_lina", 12.5)
    with pytest.raises(FlattenError, match="entry 0 .*has no run_id"):
        ledger_rows([Request("/x", "h", 200, 1, None, 1.0, midnight)])
    assert ledger_rows([]).num_rows == 0 and isinstance(ledger_rows([]), pa.RecordBatch)
