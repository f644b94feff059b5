"""Who spent what: one :class:`LedgerEntry` per request that reached the API, with its run context.

Why a context variable for the tags: assets label their work with ``client.tagged(asset=...,
entity=...)``, and the requests happen deeper down, possibly on a ``map_concurrent`` worker thread.
A ``ContextVar`` carries the labels down the call stack; ``map_concurrent`` runs each task in a copy
of the submitting context, so labels set around a fan-out reach its worker threads too.

Why a store: the in-memory list serves the run's own metadata, but a pod can die without running
any ``finally``. With a store attached (the requester attaches the shared state's
:class:`~tiktok_assets.state.ledger.LedgerStore`), each entry is committed before the request's
result is used, so a SIGKILL loses no record of a credit spent.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Protocol

from .types import LedgerEntry

log = logging.getLogger("tiktok_assets.scavio")

TAG_NAMES = ("asset", "partition", "entity")
_TAGS: ContextVar[Mapping[str, str | None]] = ContextVar("scavio_ledger_tags", default={})


def params_hash(params: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of the request body, 16 hex chars (ties retries of one request)."""
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


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


class EntryStore(Protocol):
    def append(self, entry: LedgerEntry) -> None:
        """Persist one entry durably (raise if it could not)."""


class Ledger:
    """Thread-safe, append-only list of entries for one client (one run), optionally persisted per entry."""

    def __init__(self, run_id: str | None = None, store: EntryStore | None = None) -> None:
        self.run_id = run_id
        self.store = store
        self._entries: list[LedgerEntry] = []
        self._unsaved: list[LedgerEntry] = []
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
        saved = True
        if self.store is not None:
            try:
                self.store.append(entry)
            except Exception as exc:  # the credit is spent: keep the entry for the end-of-step flush
                saved = False
                log.error("ledger: could not write entry for %s to the shared state (%s); kept in memory",
                          endpoint, type(exc).__name__)
        with self._lock:
            self._entries.append(entry)
            if not saved:
                self._unsaved.append(entry)
        return entry

    def take_unsaved(self) -> list[LedgerEntry]:
        """Entries the store refused (they must reach the lake another way); clears the list."""
        with self._lock:
            unsaved, self._unsaved = self._unsaved, []
            return unsaved

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
