"""Hand-built items shaped like the Scavio TikTok API reference (not the simulator's output).

Why by hand: the lake must follow the documented payloads, so the tests state them explicitly.
"""

from __future__ import annotations

from typing import Any

TRICKY_TEXT = 'emoji 🎉👩‍👩‍👧 · 中文字幕 · مرحبا بالعالم · line1\nline2 · "double" \'single\' \\ back'
BIG_ID = "7350810998023949599"  # 19 digits, loses precision as a double
BIG_COUNT = 118_798_000_000_000  # > 2^31 (and > 2^32)
# Entity keys that are unsafe as raw folder names.
UNSAFE_KEYS = [
    "cooking recipe", "a/b", "../etc", "..", ".", "100%", "%2F", "k=v", "source:hashtag:fyp", "ключ", "日本語 料理",
    "مرحبا", "emoji🎉", "tab\tnew\nline", "#tag?x*[y]{z}", "back\\slash", "plus+amp&", "MiXeD_Case-1.2~@x",
]


def user(n: int = 1, **over: Any) -> dict[str, Any]:
    base = {
        "uid": f"10795{n}",
        "unique_id": f"user{n}",
        "nickname": f"User {n}",
        "sec_uid": f"MS4wLjABAAAA{n:04d}",
        "signature": "bio",
        "follower_count": 1000 + n,
        "aweme_count": 10 + n,
        "avatar_thumb": {"url_list": [f"https://p16.example/thumb{n}.jpg", "https://p16.example/alt.jpg"]},
    }
    base.update(over)
    return base


def video(aweme_id: str = BIG_ID, create_time: int = 1711494099, **over: Any) -> dict[str, Any]:
    base = {
        "aweme_id": aweme_id,
        "desc": "im so sick of being tired",
        "create_time": create_time,
        "statistics": {"digg_count": 2002382, "comment_count": 8119, "play_count": 12171757,
                       "share_count": 274978, "collect_count": 211332},
        "author": {"uid": "107955", "unique_id": "tiktok", "sec_uid": "MS4wLjABAAAAv7iS", "nickname": "TikTok"},
        "music": {"id": 7001, "title": "original sound", "author": "TikTok"},
        "video": {
            "duration": 15300, "width": 576, "height": 1024,
            "cover": {"url_list": ["https://p16.example/cover.jpg"]},
            "play_addr": {"url_list": ["https://v16.example/play.mp4"]},
            "download_addr": {"url_list": ["https://v16.example/dl.mp4"]},
        },
    }
    base.update(over)
    return base


def comment(cid: str = "7350900000000000001", **over: Any) -> dict[str, Any]:
    base = {
        "cid": cid,
        "text": "first!",
        "create_time": 1711500000,
        "digg_count": 42,
        "reply_comment_total": 3,
        "is_author_digged": 1,
        "user": user(7),
    }
    base.update(over)
    return base
