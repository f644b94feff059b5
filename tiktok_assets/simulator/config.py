"""Configuration of one simulator instance.

Why a frozen dataclass: the universe is a pure function of ``(seed, now, sizes, quirks)``, so a test can
rebuild the same truth the server serves by constructing :class:`Universe` from the same config. The API
key is excluded from ``repr`` so it can never leak through a log line or an assertion message.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

# Real-data quirks (see /work/shared/scavio-platform-notes.md), each switchable by name.
Q_PINNED_FIRST = "pinned_first"  # up to 3 older posts with is_top=1 first on page 1 of user/posts
Q_SHORT_PAGES = "short_pages"  # some pages hold fewer than `count` while has_more stays 1/true
Q_STUCK_CURSOR = "stuck_cursor"  # an extra empty page with an unmoved cursor; or a last page with cursor "0"
Q_REPEATS = "repeats"  # a page starts by repeating the last 1-2 items of the previous page
Q_DELETED_ACCOUNT = "deleted_account"  # gone_creator answers 404 everywhere
Q_MISSING_OPTIONAL = "missing_optional"  # no music / no bio_url / empty url_list / hashtag videoCount 0
Q_BIG_COUNTS = "big_counts"  # counts above 2^31 on mega_star and some viral videos

ALL_QUIRKS: frozenset[str] = frozenset(
    {Q_PINNED_FIRST, Q_SHORT_PAGES, Q_STUCK_CURSOR, Q_REPEATS, Q_DELETED_ACCOUNT, Q_MISSING_OPTIONAL, Q_BIG_COUNTS}
)
STREAM_QUIRKS: frozenset[str] = frozenset({Q_PINNED_FIRST, Q_SHORT_PAGES, Q_STUCK_CURSOR, Q_REPEATS})
RETRY_AFTER_MODES: tuple[str, ...] = ("seconds", "http-date", "none")
# The notes give X-RateLimit-Limit/Remaining/Reset but not the kind of window behind them: "fixed"
# (Reset ends a window and every slot frees at once) or "sliding" (Reset is when the oldest counted
# request leaves the window: one slot frees). The second is the adversarial one.
RATE_WINDOW_KINDS: tuple[str, ...] = ("fixed", "sliding")

# Where the reference is silent, every behaviour it allows (scavio-platform-notes.md, "Order of lists").
# field -> allowed values, the first being the default (what TikTok does, per the notes). The adversarial
# value of each is in ADVERSARIAL: the one that breaks a client assuming the order it would like.
LIST_ORDERS: dict[str, tuple[str, ...]] = {
    "hashtag_video_order": ("likes", "newest"),  # a hashtag page ranks by engagement, not time
    "search_video_order": ("relevance", "newest"),  # sort_type "0" is relevance; no time order promised
    "comment_order": ("likes", "newest"),  # comments come most liked first
    "reply_order": ("likes", "oldest"),  # replies likewise (oldest-first is the other plausible order)
}
# user/posts: a cursor the client made up (not one this server issued) is honoured (posts older than it)
# or ignored (the stream starts over from the newest post); the reference does not say which.
SEEDED_CURSOR_MODES: tuple[str, ...] = ("honour", "ignore")
ADVERSARIAL: dict[str, str] = {"hashtag_video_order": "likes", "search_video_order": "relevance",
                               "comment_order": "likes", "reply_order": "likes", "posts_seeded_cursor": "ignore"}


@dataclass(frozen=True)
class SimulatorConfig:
    """Everything that shapes the simulator's answers. ``now`` anchors all timestamps (unix seconds)."""

    seed: int = 42
    api_key: str = field(default="", repr=False)
    host: str = "127.0.0.1"
    port: int = 0
    now: float | None = None
    initial_credits: int = 1_000_000
    rate_limit: int | None = None
    rate_window: float = 60.0
    # The X-RateLimit-Limit the server *announces* (Remaining counts down from it); None = the enforced
    # rate_limit. Higher than rate_limit: an over-promising server (a client trusting it meets 429s);
    # lower: an under-promising one (a client trusting it goes slower than it may).
    announced_rate_limit: int | None = None
    rate_window_kind: str = "fixed"
    retry_after: str = "seconds"
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    rate_429: float = 0.0
    rate_502: float = 0.0
    malformed_rate: float = 0.0
    quirks: frozenset[str] = ALL_QUIRKS
    comment_cap: int = 1000
    follower_cap: int = 5000
    hashtag_video_cap: int = 2000
    n_generated_accounts: int = 40
    mega_comments: int = 0
    hashtag_video_order: str = "likes"
    search_video_order: str = "relevance"
    comment_order: str = "likes"
    reply_order: str = "likes"
    posts_seeded_cursor: str = "honour"

    def __post_init__(self) -> None:
        if not self.api_key:
            raise ValueError("SimulatorConfig.api_key is required (pass api_key=..., --api-key or SCAVIO_API_KEY)")
        if self.now is None:
            object.__setattr__(self, "now", time.time())
        object.__setattr__(self, "quirks", frozenset(self.quirks))
        unknown = self.quirks - ALL_QUIRKS
        if unknown:
            raise ValueError(f"SimulatorConfig.quirks: unknown quirk(s) {sorted(unknown)}; known: {sorted(ALL_QUIRKS)}")
        if self.retry_after not in RETRY_AFTER_MODES:
            raise ValueError(f"SimulatorConfig.retry_after must be one of {RETRY_AFTER_MODES}, got {self.retry_after!r}")
        for name, allowed in {**LIST_ORDERS, "posts_seeded_cursor": SEEDED_CURSOR_MODES,
                              "rate_window_kind": RATE_WINDOW_KINDS}.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"SimulatorConfig.{name} must be one of {allowed}, got {getattr(self, name)!r}")
        if self.rate_limit is not None and self.rate_limit < 1:
            raise ValueError(f"SimulatorConfig.rate_limit must be >= 1 or None, got {self.rate_limit}")
        if self.announced_rate_limit is not None and self.announced_rate_limit < 1:
            raise ValueError(f"SimulatorConfig.announced_rate_limit must be >= 1 or None, got {self.announced_rate_limit}")
        if self.rate_window <= 0:
            raise ValueError(f"SimulatorConfig.rate_window must be > 0, got {self.rate_window}")
        for name in ("rate_429", "rate_502", "malformed_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"SimulatorConfig.{name} must be within [0, 1], got {value}")
        for name in ("initial_credits", "comment_cap", "follower_cap", "hashtag_video_cap",
                     "n_generated_accounts", "mega_comments"):
            if getattr(self, name) < 0:
                raise ValueError(f"SimulatorConfig.{name} must be >= 0, got {getattr(self, name)}")
