"""``ScavioClient``: the typed implementation of :class:`~tiktok_assets.scavio.protocol.TikTokApi`.

One method per endpoint; parameters are validated when the method is called (a bad value raises
``ValueError`` before any credit is spent), paginated methods then return a lazy generator of
:class:`Page`. All HTTP concerns (pacing, retries, budget, ledger) live in :mod:`.requester`.
One client serves a whole run: its ledger, guard, pacer and connection pool are shared by every
asset and every ``map_concurrent`` worker of that run.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager
from contextvars import copy_context
from pathlib import Path
from typing import Any, TypeVar

import httpx

from .. import settings
from . import endpoints
from . import validation
from .envconfig import settings_from_env
from .errors import MalformedResponseError
from .guard import CreditGuard, CreditLimit, RunCap
from .ledger import Ledger, tagged
from .pagination import SeenIds, paginator_for, truthy_has_more
from .ratelimit import SharedPacer
from .requester import STOPPING, Requester
from .types import LedgerEntry, Page

log = logging.getLogger("tiktok_assets.scavio")
T = TypeVar("T")
R = TypeVar("R")


class ScavioClient:
    """Thread-safe Scavio TikTok client. Prefer ``ScavioResource.get_client()`` / ``from_env()``."""

    def __init__(self, api_key: str, *, base_url: str = settings.DEFAULT_BASE_URL, timeout: float = 30.0,
                 max_retries: int = 5, max_concurrency: int = 4, rate_limit: int | None = None,
                 rate_window_seconds: float = settings.DEFAULT_RATE_WINDOW_SECONDS,
                 credit_cap_per_run: int | None = None, state_dir: str | Path | None = None,
                 run_id: str | None = None, extra_limits: Iterable[CreditLimit] = (), malformed_retries: int = 1,
                 sleep: Callable[[float], None] = time.sleep, rng: Callable[[], float] = random.random,
                 transport: httpx.BaseTransport | None = None) -> None:
        validation.client_settings(base_url=base_url, max_retries=max_retries, max_concurrency=max_concurrency,
                                   timeout=timeout)
        self.base_url = base_url.rstrip("/")
        self.run_id = run_id
        self.max_concurrency = max_concurrency
        self.run_cap = RunCap(credit_cap_per_run)
        self.guard = CreditGuard([self.run_cap, *extra_limits])
        # ids resolved during this client's run (sec_uid, hashtag id), shared by every asset of the run
        self.run_memo: dict[tuple[str, str], str] = {}
        self._ledger = Ledger(run_id)
        state = Path(state_dir) if state_dir else settings.state_dir()
        self.pacer = SharedPacer.for_key(state, self.base_url, api_key, rate_limit, rate_window_seconds,
                                         stale_after=2 * timeout + rate_window_seconds)
        self._req = Requester(api_key=api_key, base_url=self.base_url, timeout=timeout, max_retries=max_retries,
                              max_concurrency=max_concurrency, pacer=self.pacer, guard=self.guard, ledger=self._ledger,
                              malformed_retries=malformed_retries, sleep=sleep, rng=rng, transport=transport)

    @classmethod
    def from_env(cls, run_id: str | None = None, **overrides: Any) -> ScavioClient:
        """A client from the documented env vars (SCAVIO_*, TIKTOK_CREDIT_CAP_PER_RUN, TIKTOK_STATE_DIR)."""
        values = settings_from_env(**overrides)
        return cls(values.pop("api_key"), run_id=run_id, **values)

    def __repr__(self) -> str:
        return (f"ScavioClient(base_url={self.base_url!r}, api_key='***', run_id={self.run_id!r}, "
                f"credits_spent={self.credits_spent})")

    __str__ = __repr__

    # --- single-object endpoints -------------------------------------------------------------------
    def profile(self, *, username: str | None = None, sec_user_id: str | None = None) -> dict[str, Any]:
        name, value = validation.exactly_one(("username", username), ("sec_user_id", sec_user_id))
        return self._single(endpoints.PROFILE, {name: value})

    def video(self, video_id: str) -> dict[str, Any]:
        return self._single(endpoints.VIDEO, {"video_id": validation.identifier(video_id, "video_id")})

    def hashtag(self, *, hashtag_name: str | None = None, hashtag_id: str | None = None) -> dict[str, Any]:
        name, value = validation.exactly_one(("hashtag_name", hashtag_name), ("hashtag_id", hashtag_id))
        return self._single(endpoints.HASHTAG, {name: value})

    # --- paginated endpoints -----------------------------------------------------------------------
    def user_posts(self, sec_user_id: str, *, sort_type: str = "0", count: int = 30, cursor: str = "0",
                   max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]:
        """``cursor``: where the stream starts, a ``data.max_cursor`` the server sent earlier (resume)
        or a millisecond time (seek; the reference does not say a server honours one: verify it)."""
        params = {"sec_user_id": validation.identifier(sec_user_id, "sec_user_id"),
                  "sort_type": validation.choice(sort_type, validation.SORT_TYPES, "sort_type")}
        if not (isinstance(cursor, str) and cursor.isdigit()):
            raise ValueError(f"cursor must be a string of digits (a max_cursor), got {cursor!r}")
        return self._stream(endpoints.USER_POSTS, params, count, max_pages, max_items, start=cursor)

    def video_comments(self, video_id: str, *, count: int = 50,
                       max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]:
        return self._stream(endpoints.VIDEO_COMMENTS, {"video_id": validation.identifier(video_id, "video_id")}, count, max_pages, max_items)

    def comment_replies(self, video_id: str, comment_id: str, *, count: int = 50,
                        max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]:
        params = {"video_id": validation.identifier(video_id, "video_id"), "comment_id": validation.identifier(comment_id, "comment_id")}
        return self._stream(endpoints.COMMENT_REPLIES, params, count, max_pages, max_items)

    def search_videos(self, keyword: str, *, sort_type: str = "0", publish_time: str = "0", count: int = 30,
                      max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]:
        params = {"keyword": validation.keyword(keyword), "sort_type": validation.choice(sort_type, validation.SORT_TYPES, "sort_type"),
                  "publish_time": validation.choice(publish_time, validation.PUBLISH_TIMES, "publish_time")}
        return self._stream(endpoints.SEARCH_VIDEOS, params, count, max_pages, max_items)

    def search_users(self, keyword: str, *, count: int = 30,
                     max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]:
        return self._stream(endpoints.SEARCH_USERS, {"keyword": validation.keyword(keyword)}, count, max_pages, max_items)

    def hashtag_videos(self, hashtag_id: str, *, count: int = 30,
                       max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]:
        return self._stream(endpoints.HASHTAG_VIDEOS, {"hashtag_id": validation.identifier(hashtag_id, "hashtag_id")},
                            count, max_pages, max_items)

    def user_followers(self, sec_user_id: str, *, count: int = 20,
                       max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]:
        return self._stream(endpoints.USER_FOLLOWERS, {"sec_user_id": validation.identifier(sec_user_id, "sec_user_id")},
                            count, max_pages, max_items)

    def user_followings(self, sec_user_id: str, *, count: int = 20,
                        max_pages: int | None = None, max_items: int | None = None) -> Iterator[Page]:
        return self._stream(endpoints.USER_FOLLOWINGS, {"sec_user_id": validation.identifier(sec_user_id, "sec_user_id")},
                            count, max_pages, max_items)

    # --- mechanics ---------------------------------------------------------------------------------
    def _single(self, spec: endpoints.EndpointSpec, params: dict[str, Any]) -> dict[str, Any]:
        response = self._req.post(spec.path, params)
        result = response.data.get(spec.result_key)
        if not isinstance(result, dict):
            raise MalformedResponseError(spec.path, f"`data.{spec.result_key}` is missing or not an object",
                                         status=response.status)
        return result

    def _stream(self, spec: endpoints.EndpointSpec, params: dict[str, Any], count: int,
                max_pages: int | None, max_items: int | None, start: str | None = None) -> Iterator[Page]:
        """Validate now (eagerly), paginate later (lazily): the generator starts on first ``next()``."""
        assert spec.max_count is not None
        params["count"] = validation.count(count, 1, spec.max_count)
        return self._pages(spec, params, validation.limit(max_pages, "max_pages"), validation.limit(max_items, "max_items"), start)

    def _pages(self, spec: endpoints.EndpointSpec, base: dict[str, Any], max_pages: int | None,
               max_items: int | None, start: str | None = None) -> Iterator[Page]:
        paginator = paginator_for(spec, start)
        seen = SeenIds()  # exact, ~8 bytes per numeric id (a million-comment stream)
        params, number, yielded = {**base, **paginator.first_params()}, 0, 0
        while max_pages is None or number < max_pages:
            response = self._req.post(spec.path, params)
            number += 1
            raw = response.data.get(spec.result_key)
            if raw is None:
                raw = []  # an empty page may omit the list (deleted/private entity, filtered page)
            if not isinstance(raw, list):
                raise MalformedResponseError(spec.path, f"`data.{spec.result_key}` is not a list", status=response.status)
            items = []
            for item in raw:
                key = spec.id_of(item) if spec.id_of and isinstance(item, dict) else None
                if key is not None:
                    if key in seen:
                        continue
                    seen.add(key)
                items.append(item)
            if max_items is not None:
                items = items[: max_items - yielded]
            paginator.update_state(response.data)
            yield Page(endpoint=spec.path, items=items, raw_count=len(raw),
                       has_more=truthy_has_more(response.data.get("has_more")), page_number=number,
                       credits_remaining=response.credits_remaining, latency_ms=response.latency_ms, data=response.data,
                       stop_reason=None if paginator.has_next_page else paginator.stop_reason)
            yielded += len(items)
            if max_items is not None and yielded >= max_items:
                return
            if not paginator.has_next_page:
                if paginator.stop_reason:
                    # a cursor that does not advance is how real streams end (platform notes): not a warning
                    log.info("%s ended after page %d: %s", spec.path, number, paginator.stop_reason)
                return
            params = {**base, **paginator.next_params()}

    # --- run plumbing ------------------------------------------------------------------------------
    def map_concurrent(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[tuple[T, R | BaseException]]:
        """Run ``fn`` over ``items`` on up to ``max_concurrency`` threads; yield results as they finish.

        Each task runs in a copy of the caller's context (so ``tagged()`` labels reach the workers).
        After a stop reason (401/403, 402, budget) the remaining tasks fail fast with it, unsent.
        Closing the iterator early cancels the tasks that have not started.
        """
        todo = list(items)
        if not todo:
            return
        pool = ThreadPoolExecutor(max_workers=min(self.max_concurrency, len(todo)), thread_name_prefix="scavio")
        futures: dict[Future[R], tuple[int, T]] = {}
        try:
            for index, item in enumerate(todo):
                futures[pool.submit(copy_context().run, self._guarded, fn, item)] = (index, item)
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in sorted(done, key=lambda f: futures[f][0]):  # input order among simultaneous ones
                    exc = fut.exception()
                    yield futures[fut][1], (exc if exc is not None else fut.result())
        except BaseException as exc:  # Ctrl-C / termination while waiting: wake the workers, don't wait them out
            if not isinstance(exc, GeneratorExit):
                self._req.interrupt()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def interrupt(self) -> None:
        """Stop this run's requests now (the step's thread was interrupted): waiting senders raise."""
        self._req.interrupt()

    def _guarded(self, fn: Callable[[T], R], item: T) -> R:
        self._req.raise_if_stopped()  # don't even start a task once the run was stopped
        return fn(item)

    def tagged(self, **context: str | None) -> AbstractContextManager[None]:
        return tagged(**context)

    def add_limit(self, limit: CreditLimit) -> None:
        self.guard.add(limit)

    @property
    def stop_reason(self) -> BaseException | None:
        """The 401/403, 402 or budget error that stopped this client, if any."""
        return self._req.stop_reason

    @property
    def stopped(self) -> bool:
        return isinstance(self._req.stop_reason, STOPPING)

    @property
    def ledger(self) -> list[LedgerEntry]:
        return self._ledger.entries

    @property
    def credits_spent(self) -> int:
        return self._ledger.credits_spent

    @property
    def credits_remaining(self) -> int | None:
        """The balance reported by the latest response that carried one."""
        return self._req.credits_remaining

    def close(self) -> None:
        self._req.close()
        self.pacer.close()

    def __enter__(self) -> ScavioClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
