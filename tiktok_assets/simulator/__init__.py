"""A local Scavio TikTok API: a real HTTP server on loopback, deterministic from a seed.

The demo, every test and the benchmarks run against it, so it implements the published contract
(/work/shared/scavio-tiktok-api.md) plus the platform behaviour the docs leave open. Choices made where
the docs are silent (the README copies this list):

- **Errors** use Scavio's documented body ``{"error": {"code", "message"}}``; 400 messages name the
  parameter at fault. Codes: 400 bad_request, 401 unauthorized, 402 insufficient_credits, 404 not_found,
  405 method_not_allowed, 429 rate_limit_exceeded, 500 internal_error, 502 bad_gateway.
- **Order of checks**: unknown path (404) -> API key (401) -> scripted fault -> rate limit (429) ->
  latency -> random fault -> unparseable body (400) -> balance (402) -> parameters (400) -> entity (404).
- **Credits**: every 200 costs exactly 1 credit; no error costs anything, nor do malformed 200s (faults).
  At balance 0 every API call answers 402 ``insufficient_credits`` "Insufficient credits: balance is 0 ...".
  Successes carry top-level ``credits_used``, ``credits_remaining`` and ``response_time`` (ms).
- **Rate limit**: per key, fixed windows of ``rate_window`` seconds aligned to multiples of the epoch.
  Every API response carries ``X-RateLimit-Limit/-Remaining/-Reset`` (Reset = end of the window in unix
  seconds, fractional for sub-second windows; with no limit configured the limit is 1,000,000). Refused
  requests do not count. ``Retry-After`` on 429 is integer seconds (rounded up, >= 1), an HTTP-date, or
  absent (then only ``X-RateLimit-Reset``), per ``retry_after``.
- **Pagination**: user/posts ``max_cursor`` is the create_time in ms of the last new item (a seeded ms
  cursor lists posts strictly older; with ``sort_type="1"`` it is an offset instead, since popularity
  order has no time cursor). Offset endpoints answer ``data.cursor`` as a number. Followers/followings
  answer an opaque ``next_page_token`` (rejected with 400 if forged or from another list) and
  ``min_time`` (follow time of the last item); their ``has_more`` is a boolean, elsewhere 0/1.
- **List orders** the reference leaves open (``config.LIST_ORDERS``; defaults = TikTok's, per the
  platform notes): hashtag videos by likes or newest first, search videos (``sort_type "0"``) by
  relevance or newest first, comments by likes or newest first, replies by likes or oldest first.
  The universe's lists (``hashtag_videos_of``, ``comments_of``, ...) are in served order.
- **Seeded posts cursor**: a ``user/posts`` cursor the server never issued is honoured (strictly older
  posts) or, with ``posts_seeded_cursor="ignore"``, ignored (the stream starts over, pins first).
  ``config.ADVERSARIAL`` sets every such switch to the value that breaks a client's assumption.
- **Pinned posts** come first on page 1 only and are not repeated later in time order; page 1 holds
  the pins plus ``count - pins`` regular posts (at least one), so it may exceed ``count`` when count <= pins.
- **Private account** (quiet_closet): profile served (``secret: 1``), posts/followers/followings empty.
  **Deleted account** (gone_creator, quirk ``deleted_account``): 404 on every endpoint, its videos too.
  Pool users (commenters, followers) have profiles but empty lists.
- **Caps**: comments top ``comment_cap`` by likes (statistics.comment_count stays the true total),
  followers/followings ``follower_cap``, hashtag videos ``hashtag_video_cap``, search 300 results.
- **Faults**: scripted ones (``enqueue_faults`` / ``POST /_admin/faults``) apply to the next API
  requests that pass the key check, in order: ``{"status": 429|5xx|..., "retry_after": s|None,
  "reset_in": s}``, ``{"malformed": "not_json"|"no_data"|"truncated"}``, ``{"delay_ms": n}``,
  ``{"disconnect": true}`` (connection closed without an answer).
- **Time evolution**: content is generated relative to ``config.now`` (the *anchor*) and never depends
  on the wall clock. ``SimulatorServer.travel(now)`` (or ``POST /_admin/travel {"now": s}``; ``now`` >=
  anchor) serves the same world observed later, and ``Universe.at(now)`` computes it for tests:
  follower counts grow by a per-account daily amount (new followers head the list, followed after the
  anchor); each demo account's planned posts after the anchor (a scheduled upload every UTC day at
  00:01-00:10 plus 1-2 others a day) appear once ``now`` passes them, their comments and replies
  arriving over two days; play/digg/share/collect counts of older videos grow with time (faster when
  young), their comment lists stay as anchored. At ``now == anchor`` every answer is unchanged.
  Details: ``simulator/evolution.py``.
"""

from .config import ALL_QUIRKS, SimulatorConfig
from .content import MEGA_VIDEO_ID
from .people import CAP_ACCOUNT, DELETED_ACCOUNT, DEMO_ACCOUNTS, PRIVATE_ACCOUNT
from .server import SimulatorServer
from .universe import MAX_PAGE, Universe

DEMO_HASHTAGS = Universe.DEMO_HASHTAGS
DEMO_KEYWORDS = Universe.DEMO_KEYWORDS

__all__ = ["ALL_QUIRKS", "CAP_ACCOUNT", "DELETED_ACCOUNT", "DEMO_ACCOUNTS", "DEMO_HASHTAGS", "DEMO_KEYWORDS",
           "MAX_PAGE", "MEGA_VIDEO_ID", "PRIVATE_ACCOUNT", "SimulatorConfig", "SimulatorServer", "Universe"]
