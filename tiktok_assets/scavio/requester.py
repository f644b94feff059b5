"""One API call, done right: budget reservation, shared pacing, retries, error mapping, ledger.

Why separate from ``client.py``: the client knows endpoints and pagination; this module knows HTTP.
Order of one attempt: refuse if the run was stopped (401/403, 402, budget) -> wait for one of the
client's ``max_concurrency`` request slots -> reserve 1 credit -> wait for a slot on the key's shared pacer -> POST -> re-stamp the slot and adapt to the
X-RateLimit-* headers -> ledger entry -> settle the reservation with the real cost -> map the status.

Retry policy (see ``retry.py`` for the waits): 429 waits as the server says (and pauses every sender
on the key through the pacer), 5xx / timeouts / connection errors back off with full jitter, both
bounded by ``max_retries``. A 2xx body that is not JSON or has no ``data`` is retried
``malformed_retries`` times (default 1; it may cost a credit) and then raises
:class:`MalformedResponseError`. 400/401/403/402/404 are never retried.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from . import retry
from .errors import (
    AuthError,
    BadRequestError,
    BudgetExceededError,
    EntityNotFoundError,
    InsufficientCreditsError,
    MalformedResponseError,
    RateLimitedError,
    RunInterruptedError,
    ScavioError,
    ServerError,
)
from .guard import CreditGuard
from ..state.ledger import LedgerStore
from .ledger import Ledger
from .ratelimit import SharedPacer

log = logging.getLogger("tiktok_assets.scavio")
STOPPING = (AuthError, InsufficientCreditsError, BudgetExceededError, RunInterruptedError)
BODY_EXCERPT = 200  # characters of a non-JSON error body kept in a message (one line)


@dataclass(frozen=True)
class ApiResponse:
    data: dict[str, Any]
    status: int
    credits_remaining: int | None
    latency_ms: float


@dataclass(frozen=True)
class _Retry:
    error: ScavioError
    kind: str  # "rate" (429), "transient" (5xx, transport) or "malformed" (retried at once)
    headers: Mapping[str, str] | None = None


def _int_or_none(value: Any) -> int | None:
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def restate(exc: BaseException) -> BaseException:
    """A fresh copy of a stop reason, so threads never share (and mutate) one exception object."""
    if isinstance(exc, ScavioError):
        return type(exc)(exc.endpoint, exc.api_message, status=exc.status, code=exc.code)
    if isinstance(exc, BudgetExceededError):
        return BudgetExceededError(str(exc), limit_name=exc.limit_name, spent=exc.spent, limit=exc.limit)
    return exc


class Requester:
    def __init__(self, *, api_key: str, base_url: str, timeout: float, max_retries: int, max_concurrency: int,
                 pacer: SharedPacer, guard: CreditGuard, ledger: Ledger, malformed_retries: int = 1,
                 max_wait: float = 300.0, sleep: Callable[[float], None] = time.sleep,
                 rng: Callable[[], float] = random.random, transport: httpx.BaseTransport | None = None) -> None:
        self._key = api_key
        self.max_retries = max_retries
        self.malformed_retries = malformed_retries
        self.max_wait = max_wait
        self.pacer, self.guard, self.ledger = pacer, guard, ledger
        if ledger.store is None:  # persist every entry where the pace lives: the deployment's shared state
            ledger.store = LedgerStore(pacer.store.engine, pacer.key_fp)
        self.sleep, self.rng = sleep, rng
        self.credits_remaining: int | None = None
        self._stop: BaseException | None = None
        self._stop_lock = threading.Lock()
        # One concurrency for the run: every thread of every asset (a family runs several at once, each
        # with its own ``map_concurrent`` pool) waits here for one of ``max_concurrency`` request slots,
        # before the pacer and httpx, so in-flight requests never exceed it and waiting is never an error.
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json",
                     "User-Agent": "tiktok-assets/0.1"},
            timeout=httpx.Timeout(timeout, pool=None),  # waiting for a pooled connection is not a failure
            limits=httpx.Limits(max_connections=max_concurrency, max_keepalive_connections=max_concurrency),
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"Requester(base_url={str(self._http.base_url)!r}, api_key='***')"

    # --- stop reasons ----------------------------------------------------------------------------
    @property
    def stop_reason(self) -> BaseException | None:
        return self._stop

    def _halt(self, exc: BaseException) -> BaseException:
        with self._stop_lock:
            if self._stop is None:
                self._stop = exc
                log.warning("Scavio client stops all further requests of this run: %s", exc)
        return exc

    def interrupt(self) -> None:
        """Stop this run's requests now: waiting senders wake within a fraction of a second and raise.

        Called when the thread that owns the run is interrupted (Ctrl-C, SIGTERM, Dagster's
        termination), so worker threads sleeping in the pacer do not hold the process up.
        """
        self._halt(RunInterruptedError("run interrupted; no further requests are sent"))
        self.pacer.cancel()

    def raise_if_stopped(self) -> None:
        if self._stop is not None:
            raise restate(self._stop)

    def scrub(self, text: str) -> str:
        """Defence in depth: never echo the key, even if a server put it in an error message."""
        return text.replace(self._key, "***") if len(self._key) >= 4 else text

    # --- the call --------------------------------------------------------------------------------
    def post(self, endpoint: str, params: Mapping[str, Any]) -> ApiResponse:
        retries = malformed = 0
        while True:
            outcome = self._attempt(endpoint, params)
            if isinstance(outcome, ApiResponse):
                return outcome
            error = outcome.error
            if outcome.kind == "malformed":
                malformed += 1
                if malformed > self.malformed_retries:
                    raise error
                log.info("retrying %s at once: %s (malformed retry %d/%d)", endpoint, error.api_message,
                         malformed, self.malformed_retries)
                continue
            retries += 1
            wait = (retry.wait_for_rate_limit(outcome.headers or {}, error.api_message, retries - 1, time.time(), self.rng)
                    if outcome.kind == "rate" else retry.wait_for_transient(retries - 1, self.rng))
            if outcome.kind == "rate":  # the limit is the key's: pause every sender, then (maybe) retry
                self.pacer.block_for(min(wait.seconds, self.max_wait), f"429 on {endpoint}, {wait.reason}")
            if retries > self.max_retries:
                raise type(error)(endpoint, f"gave up after {self.max_retries} retries: {error.api_message}",
                                  status=error.status, code=error.code)
            if wait.seconds > self.max_wait:
                raise type(error)(endpoint, f"server asks to wait {wait.seconds:.0f}s ({wait.reason}), more than "
                                  f"the {self.max_wait:.0f}s this client waits: {error.api_message}",
                                  status=error.status, code=error.code)
            log.info("retrying %s in %.2fs (reason: %s) after %s, retry %d/%d", endpoint, wait.seconds, wait.reason,
                     f"HTTP {error.status}" if error.status else error.api_message, retries, self.max_retries)
            if outcome.kind != "rate":  # a 429's wait happens in the pacer's acquire()
                self.sleep(wait.seconds)

    def _attempt(self, endpoint: str, params: Mapping[str, Any]) -> ApiResponse | _Retry:
        self.raise_if_stopped()
        if not self._key:
            raise self._halt(AuthError(endpoint, "the API key is missing (set SCAVIO_API_KEY); no request sent"))
        self._take_slot()  # first: a credit is reserved only by a request about to be sent
        try:
            return self._send(endpoint, params)
        finally:
            self._slots.release()

    def _send(self, endpoint: str, params: Mapping[str, Any]) -> ApiResponse | _Retry:
        try:
            self.guard.reserve(1)
        except BudgetExceededError as exc:
            raise self._halt(exc) from None
        used = 0
        try:
            token = self.pacer.acquire()
            if isinstance(self._stop, (AuthError, InsufficientCreditsError)):  # the key or the balance failed
                self.pacer.release(token)  # while this sender waited for its slot: it would fail too, not sent
                self.raise_if_stopped()  # (a budget stop lets a request already reserved within it go out)
            requested_at, started = time.time(), time.perf_counter()
            try:
                response = self._http.post(endpoint, json=dict(params))
            except httpx.RequestError as exc:  # timeouts, refused and reset connections, broken encodings
                self.pacer.release(token)
                log.debug("POST %s -> %s after %.0f ms", endpoint, type(exc).__name__, (time.perf_counter() - started) * 1e3)
                return _Retry(ServerError(endpoint, self.scrub(f"{type(exc).__name__}: {exc}")), "transient")
            measured = (time.perf_counter() - started) * 1e3
            halting = self._halting_error(endpoint, response)
            if halting is not None:  # stop the run before this answer frees a slot: no sender of it goes out after
                self._halt(halting)
            self.pacer.release(token, response.headers)
            used, result = self._interpret(endpoint, params, response, requested_at, measured)
        finally:
            self.guard.settle(1, used)
        return result

    def _take_slot(self) -> None:
        """Wait for a request slot, waking to notice a stopped run (401/402/budget, an interrupt)."""
        while not self._slots.acquire(timeout=0.25):
            self.raise_if_stopped()

    def _interpret(self, endpoint: str, params: Mapping[str, Any], response: httpx.Response, requested_at: float,
                   measured_ms: float) -> tuple[int, ApiResponse | _Retry]:
        status = response.status_code
        try:
            body: Any = response.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        body_dict = body if isinstance(body, dict) else {}
        ok = 200 <= status < 300
        used = _int_or_none(body_dict.get("credits_used"))
        used = (1 if used is None else used) if ok else (used or 0)
        remaining = _int_or_none(body_dict.get("credits_remaining"))
        latency = float(body_dict["response_time"]) if _int_or_none(body_dict.get("response_time")) is not None else measured_ms
        if remaining is not None:
            self.credits_remaining = remaining
        self.ledger.record(endpoint=endpoint, params=params, http_status=status, credits_used=used,
                           credits_remaining=remaining, latency_ms=latency, requested_at=requested_at)
        log.debug("POST %s -> HTTP %d in %.0f ms, credits_remaining=%s", endpoint, status, latency, remaining)
        if ok:
            data = body_dict.get("data")
            if body is None:
                return used, _Retry(MalformedResponseError(endpoint, "response body is not JSON", status=status), "malformed")
            if not isinstance(data, dict):
                return used, _Retry(MalformedResponseError(endpoint, "JSON response has no `data` object", status=status), "malformed")
            return used, ApiResponse(data, status, remaining, latency)
        code, message = self._error_details(body, response)
        if status == 429:
            return used, _Retry(RateLimitedError(endpoint, message, status=status, code=code), "rate", response.headers)
        if status >= 500:
            return used, _Retry(ServerError(endpoint, message, status=status, code=code), "transient")
        halting = self._halting_error(endpoint, response)
        if halting is not None:
            self._halt(halting)
            self.raise_if_stopped()
        if status == 404:
            raise EntityNotFoundError(endpoint, message, status=status, code=code)
        if 400 <= status < 500:
            raise BadRequestError(endpoint, message, status=status, code=code)
        raise MalformedResponseError(endpoint, f"unexpected HTTP {status}: {message}", status=status, code=code)

    def _halting_error(self, endpoint: str, response: httpx.Response) -> ScavioError | None:
        """The error that stops every request of the run (a rejected key, an exhausted balance), else None."""
        status = response.status_code
        if status not in (401, 402, 403):
            return None
        try:
            body: Any = response.json()
        except (ValueError, UnicodeDecodeError):
            body = None
        code, message = self._error_details(body, response)
        if status == 402:
            return InsufficientCreditsError(endpoint, f"credit balance exhausted; no further requests this run. "
                                                      f"API said: {message}", status=status, code=code)
        return AuthError(endpoint, f"the API key is missing or was rejected (check SCAVIO_API_KEY); API said: {message}",
                         status=status, code=code)

    def _error_details(self, body: Any, response: httpx.Response) -> tuple[str | None, str]:
        """(code, message) from ``{"error": {"code", "message"}}``, tolerating other shapes."""
        code, message = None, None
        if isinstance(body, dict):
            err = body.get("error")
            if isinstance(err, dict):
                code, message = err.get("code"), err.get("message")
            elif isinstance(err, str):
                message = err
            message = message or body.get("message") or body.get("detail")
        if not message:
            message = self._body_summary(response)
        return (str(code) if code else None), self.scrub(" ".join(str(message).split()))

    @staticmethod
    def _body_summary(response: httpx.Response) -> str:
        """One line for a body that is not the API's JSON (a proxy's HTML error page, plain text)."""
        kind = response.headers.get("content-type", "").split(";")[0].strip() or "unknown type"
        text = response.text.strip()
        if not text:
            return response.reason_phrase or "empty body"
        if "html" in kind or text[:1] == "<":
            reason = response.reason_phrase or "error"
            return f"{reason} (non-JSON {kind} body of {len(response.content)} bytes, probably from a proxy)"
        line = " ".join(text.split())
        return line[:BODY_EXCERPT] + ("…" if len(line) > BODY_EXCERPT else "")

    def close(self) -> None:
        self._http.close()
