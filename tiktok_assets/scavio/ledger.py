"""Who spent what: one :class:`LedgerEntry` per request that reached the API, with its run context.

Why a context variable for the tags: assets label their work with ``client.tagged(asset=...,
entity=...)``, and the requests happen deeper down, possibly on a ``map_concurrent`` worker thread.
A ``ContextVar`` carries the labels down the call stack; ``map_concurrent`` runs each task in a copy
of the submitting context, so labels set around a fan-out reach its worker threads too.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from .types import LedgerEntry

TAG_NAMES = ("asset", "partition", "entity")
_TAGS: ContextVar[Mapping[str, str | None]] = ContextVar("scavio_ledger_tags", default={})


def params_hash(params: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the request body, 16 hex chars (ties retries of one request)."""
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def current_tags() -> Mapping[str, str | None]:
    return _TAGS.get()


@contextmanager
def tagged(**context: str | None) -> Iterator[None]:
    """Label requests in this block; nested blocks override only the keys they name."""
    unknown = sorted(set(context) - set(TAG_NAMES))
    if unknown:
        raise ValueError(f"tagged(): unknown label(s) {unknown}; allowed: {list(TAG_NAMES)}")
    token = _TAGS.set({**_TAGS.get(), **context})
    try:
        yield
    finally:
        _TAGS.reset(token)


class Ledger:
    """Thread-safe, append-only list of entries for one client (one run)."""

    def __init__(self, run_id: str | None = None) -> None:
        self.run_id = run_id
        self._entries: list[LedgerEntry] = []
        self._lock = threading.Lock()

    def record(self, *, endpoint: str, params: Mapping[str, Any], http_status: int, credits_used: int,
               credits_remaining: int | None, latency_ms: float, requested_at: float) -> LedgerEntry:
        tags = _TAGS.get()
        entry = LedgerEntry(
            endpoint=endpoint, params_hash=params_hash(params), http_status=http_status,
            credits_used=credits_used, credits_remaining=credits_remaining, latency_ms=latency_ms,
            requested_at=requested_at, asset=tags.get("asset"), partition=tags.get("partition"),
            entity=tags.get("entity"), run_id=self.run_id,
        )
        with self._lock:
            self._entries.append(entry)
        return entry

    @property
    def entries(self) -> list[LedgerEntry]:
        with self._lock:
            return list(self._entries)

    @property
    def credits_spent(self) -> int:
        with self._lock:
            return sum(e.credits_used for e in self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
