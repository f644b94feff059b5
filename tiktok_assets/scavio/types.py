"""Plain data passed between the client, the assets and the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    """One paid response of a paginated endpoint.

    ``items`` are the list entries exactly as the API sent them (so the lake's ``raw`` column keeps
    everything), minus items already yielded earlier in the same stream (dedup by natural id).
    ``raw_count`` is the length before deduplication: a short page is not the end of a stream.
    ``has_more`` is the API's flag: still true on the last page a ``max_pages`` limit allowed.
    """

    endpoint: str
    items: list[dict[str, Any]]
    raw_count: int
    has_more: bool
    page_number: int
    credits_remaining: int | None = None
    latency_ms: float = 0.0
    data: dict[str, Any] = field(default_factory=dict, repr=False)
    # on the last page only: why the stream ended although has_more was set (a cursor that did not
    # advance, which the platform notes allow as an end); None when has_more ended it or more follow
    stop_reason: str | None = None


@dataclass(frozen=True)
class LedgerEntry:
    """One request that reached the API, paid or not. The budget issue persists these to the lake."""

    endpoint: str
    params_hash: str
    http_status: int
    credits_used: int
    credits_remaining: int | None
    latency_ms: float
    requested_at: float  # unix seconds
    asset: str | None = None
    partition: str | None = None
    entity: str | None = None
    run_id: str | None = None
