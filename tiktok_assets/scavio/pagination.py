"""The three pagination styles as three small paginators behind one protocol (the dlt shape).

A paginator gives the parameters of the first request, reads each response's ``data``
(``update_state``) and gives the parameters of the next request. It also guards against the quirks
of real data: ``has_more`` arrives as 0/1 or as a boolean, and a cursor that does not move forward
(the one just sent, one sent earlier, ``"0"``/empty after the start) ends the stream with a reason
instead of starting it over, so a stream can never loop.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Mapping
from typing import Any, Protocol

from .endpoints import EndpointSpec, PageStyle

_START = "0"


def truthy_has_more(value: Any) -> bool:
    """``has_more`` as 0/1, "0"/"1", true/false or "true"/"false"; missing means no more."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return False


def _blank(value: Any) -> bool:
    return value is None or str(value).strip() in ("", _START)


class Paginator(Protocol):
    has_next_page: bool
    stop_reason: str | None  # set when the stream ended for a reason other than has_more

    def first_params(self) -> dict[str, Any]: ...

    def update_state(self, data: Mapping[str, Any]) -> None: ...

    def next_params(self) -> dict[str, Any]: ...


class _CursorPaginator:
    """Shared body of the two single-cursor styles; ``cursor_field`` names where the next cursor is."""

    cursor_field = "cursor"

    def __init__(self, start: str = _START) -> None:
        self.has_next_page = True
        self.stop_reason: str | None = None
        self._sent: list[str] = list(dict.fromkeys([_START, start]))  # neither may come back as "next"
        self._next: str | None = None

    def first_params(self) -> dict[str, Any]:
        return {"cursor": self._sent[-1]}

    def update_state(self, data: Mapping[str, Any]) -> None:
        more = truthy_has_more(data.get("has_more"))
        raw = data.get(self.cursor_field)
        if not more:
            self.has_next_page = False
            return
        last = self._sent[-1]
        if _blank(raw) or str(raw) in self._sent:
            self.has_next_page = False
            self.stop_reason = (f"has_more is set but data.{self.cursor_field}={raw!r} does not advance "
                                f"past the cursor sent ({last!r})")
            return
        self._next = str(raw)

    def next_params(self) -> dict[str, Any]:
        assert self._next is not None and self.has_next_page, "next_params() after the last page"
        self._sent.append(self._next)
        return {"cursor": self._next}


class MaxCursorPaginator(_CursorPaginator):
    """user/posts: send ``cursor = data.max_cursor``; stop when ``has_more`` is 0."""

    cursor_field = "max_cursor"


class OffsetPaginator(_CursorPaginator):
    """search/*, hashtag/videos, comments, replies: send ``cursor = data.cursor``; stop at has_more 0."""

    cursor_field = "cursor"


class TokenTimePaginator:
    """followers/followings: send ``page_token`` and ``min_time`` from the last page; stop at has_more false."""

    def __init__(self) -> None:
        self.has_next_page = True
        self.stop_reason: str | None = None
        self._sent: list[tuple[str, str]] = [("", "")]
        self._next: tuple[Any, Any] | None = None

    def first_params(self) -> dict[str, Any]:
        return {}

    def update_state(self, data: Mapping[str, Any]) -> None:
        if not truthy_has_more(data.get("has_more")):
            self.has_next_page = False
            return
        token, min_time = data.get("next_page_token"), data.get("min_time")
        key = ("" if _blank(token) else str(token), "" if _blank(min_time) else str(min_time))
        if key == ("", "") or key in self._sent:
            self.has_next_page = False
            self.stop_reason = (f"has_more is set but next_page_token={token!r}/min_time={min_time!r} "
                                f"do not advance past the last sent ({self._sent[-1]!r})")
            return
        self._next = (token, min_time)

    def next_params(self) -> dict[str, Any]:
        assert self._next is not None and self.has_next_page, "next_params() after the last page"
        token, min_time = self._next
        self._sent.append(("" if _blank(token) else str(token), "" if _blank(min_time) else str(min_time)))
        params: dict[str, Any] = {}
        if token is not None:
            params["page_token"] = str(token)
        if min_time is not None:
            params["min_time"] = min_time  # documented as a number: pass it back exactly as received
        return params


def paginator_for(spec: EndpointSpec, start: str | None = None) -> Paginator:
    """The paginator of ``spec``; ``start`` resumes a ``user/posts`` stream at that cursor."""
    if start is not None and spec.style is not PageStyle.MAX_CURSOR:
        raise ValueError(f"{spec.path}: only user/posts can start at a cursor")
    if spec.style is PageStyle.MAX_CURSOR:
        return MaxCursorPaginator(start or _START)
    if spec.style is PageStyle.OFFSET:
        return OffsetPaginator()
    if spec.style is PageStyle.TOKEN_TIME:
        return TokenTimePaginator()
    raise ValueError(f"{spec.path} is not paginated")


class SeenIds:
    """Exact set of the ids already yielded in one stream, compact for very long streams.

    Why: a stream can serve a million comments; a ``set`` of a million 19-character strings costs
    ~100 MB. Numeric ids (all TikTok ids are) go to a sorted ``array('q')`` (8 bytes each, binary
    search) fed from a small recent ``set`` merged in when it reaches ``MERGE_AT``; other ids stay in
    a plain set. Membership is exact either way; only ``in`` and ``add`` are needed.
    """

    MERGE_AT = 50_000

    def __init__(self) -> None:
        self._sorted = array("q")
        self._recent: set[int] = set()
        self._other: set[str] = set()

    @staticmethod
    def _as_int(key: str) -> int | None:
        # only canonical decimal ints (no sign, no leading zero) map 1:1 between text and number
        if key.isascii() and key.isdigit() and len(key) <= 19 and (key == "0" or key[0] != "0"):
            value = int(key)
            return value if value < 2**63 else None
        return None

    def __contains__(self, key: object) -> bool:
        key = str(key)
        n = self._as_int(key)
        if n is None:
            return key in self._other
        if n in self._recent:
            return True
        i = bisect_left(self._sorted, n)
        return i < len(self._sorted) and self._sorted[i] == n

    def add(self, key: object) -> None:
        key = str(key)
        n = self._as_int(key)
        if n is None:
            self._other.add(key)
            return
        if n in self:
            return
        self._recent.add(n)
        if len(self._recent) >= self.MERGE_AT:
            self._sorted = array("q", sorted([*self._sorted, *self._recent]))
            self._recent = set()

    def __len__(self) -> int:
        return len(self._sorted) + len(self._recent) + len(self._other)
