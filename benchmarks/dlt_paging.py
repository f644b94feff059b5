"""What dlt 1.31's rest_api needed to read the Scavio TikTok API correctly (used by dlt_pipeline.py).

Why these exist (each is a gap in dlt's built-in pieces, recorded in BENCHMARKS.md):
- ``has_more`` is 0/1 on most endpoints: dlt's ``JSONResponseCursorPaginator(has_more_path=...)``
  raises "is not a `bool`" on an int, so :class:`HasMoreCursorPaginator` coerces 0/1/"0"/bool.
- The cursor goes in the JSON body and is ``data.max_cursor`` (posts) or ``data.cursor`` (offset
  endpoints); a last page may return cursor "0": a cursor that does not move forward ends the stream
  instead of starting over.
- Posts and hashtag videos are read newest-first only down to the window start (pinned posts,
  listed first regardless of age, must not stop it): dlt's ``Incremental(row_order="desc")`` would
  stop at a pinned post, so the paginator applies the window stop rule.
- followers/followings need TWO values carried forward (``page_token`` and ``min_time``):
  :class:`TokenTimePaginator`.
- No client-side rate limiter exists in dlt (it only retries 429s, honouring ``Retry-After``):
  :class:`PacedAdapter` is a requests transport adapter that holds each attempt until the key's
  window has room (sliding log, shared by dlt's worker threads), mounted on dlt's own retrying session.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from dlt.common import jsonpath
from dlt.sources.helpers.rest_client.paginators import BasePaginator
from requests import Request, Response
from requests.adapters import HTTPAdapter


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in ("", "0", "false", "no")
    return bool(value)


class HasMoreCursorPaginator(BasePaginator):
    """Cursor in the JSON body; stop on has_more 0/false, on a cursor that does not move, or (for
    newest-first streams) on a page whose non-pinned items all predate ``stop_before_ts``."""

    def __init__(self, cursor_path: str = "data.cursor", has_more_path: str = "data.has_more",
                 body_key: str = "cursor", page_is_older: Callable[[list[Any]], bool] | None = None) -> None:
        super().__init__()
        self.cursor_path = jsonpath.compile_path(cursor_path)
        self.has_more_path = jsonpath.compile_path(has_more_path)
        self.body_key = body_key
        self.page_is_older = page_is_older
        self._cursor: Any = None
        self._seen: set[str] = set()

    def init_request(self, request: Request) -> None:
        self._cursor = None
        self._seen = set()
        self._has_next_page = True

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        body = response.json()
        has_more = jsonpath.find_values(self.has_more_path, body)
        cursor = jsonpath.find_values(self.cursor_path, body)
        nxt = cursor[0] if cursor else None
        moved = nxt not in (None, "", 0, "0") and str(nxt) not in self._seen
        if not (has_more and _truthy(has_more[0])) or not moved:
            self._has_next_page = False
        elif self.page_is_older is not None and self.page_is_older(list(data or [])):
            self._has_next_page = False
        if nxt is not None:
            self._seen.add(str(nxt))
        self._cursor = nxt

    def update_request(self, request: Request) -> None:
        request.json = {**(request.json or {}), self.body_key: self._cursor}


class TokenTimePaginator(BasePaginator):
    """followers/followings: carry ``next_page_token`` and ``min_time`` forward; has_more is a bool."""

    def __init__(self) -> None:
        super().__init__()
        self._token: Any = None
        self._min_time: Any = None

    def init_request(self, request: Request) -> None:
        self._token = self._min_time = None
        self._has_next_page = True

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        d = response.json().get("data") or {}
        token = d.get("next_page_token")
        if not _truthy(d.get("has_more")) or not token or token == self._token:
            self._has_next_page = False
        self._token, self._min_time = token, d.get("min_time")

    def update_request(self, request: Request) -> None:
        request.json = {**(request.json or {}), "page_token": self._token, "min_time": self._min_time}


class SlidingWindowLimiter:
    """At most ``limit`` request starts in any ``window`` seconds (plus a small safety margin for
    the request's travel time, so the server never sees limit+1 inside its own window)."""

    def __init__(self, limit: int, window: float, margin: float = 0.05) -> None:
        self.limit, self.window, self.margin = limit, window + margin, margin
        self._starts: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        while True:
            with self._lock:
                now = time.monotonic()
                while self._starts and now - self._starts[0] >= self.window:
                    self._starts.popleft()
                if len(self._starts) < self.limit:
                    self._starts.append(now)
                    return
                wait = self.window - (now - self._starts[0])
            time.sleep(max(wait, 0.001))


class PacedAdapter(HTTPAdapter):
    """A transport adapter that paces every attempt (retries included) through a limiter."""

    def __init__(self, limiter: SlidingWindowLimiter | None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limiter = limiter

    def send(self, request: Any, **kwargs: Any) -> Response:  # type: ignore[override]
        if self.limiter is not None:
            self.limiter.acquire()
        return super().send(request, **kwargs)
