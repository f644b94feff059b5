"""The interface the assets depend on.

Why a Protocol: assets talk to "a TikTok API", not to httpx. The real implementation is
``ScavioClient`` (``client.py``); tests and benchmarks point that same client at the simulator over
real HTTP, so there is exactly one code path. Paginated methods validate their parameters when
called (a bad value raises ``ValueError`` before any credit is spent) and return a lazy iterator of
:class:`Page`; breaking out of the loop stops spending.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

from .guard import CreditGuard, CreditLimit, RunCap
from .types import LedgerEntry, Page

T = TypeVar("T")
R = TypeVar("R")


class TikTokApi(Protocol):
    run_cap: RunCap  # this run's credit cap (tightened by the budget resource)
    guard: CreditGuard  # every limit a request is reserved against
    run_memo: dict[tuple[str, str], str]  # ids resolved during the run, shared by its assets

    # --- single-object endpoints (one credit each) ---
    def profile(self, *, username: str | None = None, sec_user_id: str | None = None) -> dict[str, Any]:
        """``data.user``. Exactly one of username / sec_user_id."""

    def video(self, video_id: str) -> dict[str, Any]:
        """``data.aweme_detail``."""

    def hashtag(self, *, hashtag_name: str | None = None, hashtag_id: str | None = None) -> dict[str, Any]:
        """``data.challengeInfo`` (``challenge`` and ``stats``). Exactly one of name / id."""

    # --- paginated endpoints: page size defaults to the endpoint maximum ---
    def user_posts(self, sec_user_id: str, *, sort_type: str = "0", count: int = 30, cursor: str = "0",
                   max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]: ...

    def video_comments(self, video_id: str, *, count: int = 50,
                       max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]: ...

    def comment_replies(self, video_id: str, comment_id: str, *, count: int = 50,
                        max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]: ...

    def search_videos(self, keyword: str, *, sort_type: str = "0", publish_time: str = "0", count: int = 30,
                      max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]: ...

    def search_users(self, keyword: str, *, count: int = 30,
                     max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]: ...

    def hashtag_videos(self, hashtag_id: str, *, count: int = 30,
                       max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]: ...

    def user_followers(self, sec_user_id: str, *, count: int = 20,
                       max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]: ...

    def user_followings(self, sec_user_id: str, *, count: int = 20,
                        max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]: ...

    # --- run plumbing ---
    def map_concurrent(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[T, R | BaseException]]:
        """Run independent streams concurrently (up to max_concurrency) under the shared pace.

        Yields ``(item, result_or_exception)`` as each finishes; one failing stream never cancels the others.
        """

    def tagged(self, **context: str | None) -> AbstractContextManager[None]:
        """Label requests made inside the block (asset, partition, entity) in the ledger; thread-aware."""

    def add_limit(self, limit: CreditLimit) -> None:
        """Reserve every later request against ``limit`` too (added once, by identity)."""

    @property
    def ledger(self) -> list[LedgerEntry]:
        """Every request this client sent, in order."""

    @property
    def credits_spent(self) -> int: ...
