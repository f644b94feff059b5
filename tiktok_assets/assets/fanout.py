"""Per-entity failure isolation: one tracked entity failing must not cost the others their data.

Why here and not in each asset: the rule is the same for all eleven assets. Each entity's work runs
through ``client.map_concurrent`` (concurrency under the key's shared pace) inside
``client.tagged(asset, partition, entity)`` so the credit ledger attributes every request. Outcomes:

- an *entity* error (404 for a deleted account, a 400 for a bad name, a 5xx that outlived retries, a
  malformed body) is recorded on that entity; the others' partitions are still written, and the
  ``entities_ok`` asset check fails naming it;
- anything else (401/403, 402 insufficient credits, the client-side budget guard, a lake write error,
  a bug) stops the run with a ``dagster.Failure``; partitions committed before that stay intact
  because every partition write is atomic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..scavio.errors import (
    BadRequestError,
    EntityNotFoundError,
    MalformedResponseError,
    RateLimitedError,
    ServerError,
)

if TYPE_CHECKING:
    from .asset_run import AssetRun

# Errors that end one entity's work but not the run.
ENTITY_ERRORS: tuple[type[BaseException], ...] = (
    EntityNotFoundError,
    BadRequestError,
    MalformedResponseError,
    RateLimitedError,
    ServerError,
)


def is_entity_error(exc: BaseException) -> bool:
    """Entity-level unless it is a lake write problem (fatal) or something unexpected (fatal).

    ``ValueError`` covers the client's parameter validation (e.g. a keyword over 500 chars), a lake
    path that cannot encode a name and an item that cannot be flattened: all specific to one entity.
    """
    from ..lake.delta import LakeWriteError

    if isinstance(exc, LakeWriteError):
        return False
    return isinstance(exc, ENTITY_ERRORS) or isinstance(exc, ValueError)


@dataclass
class EntityOutcome:
    """What happened for one entity in one asset run (becomes a row of the metadata table)."""

    entity: str
    rows: int = 0
    pages: int = 0
    credits: int = 0
    seconds: float = 0.0
    partitions: int = 0
    skipped: int = 0  # streams not fetched because their parent count was unchanged (assets/state.py)
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


def describe_entity_error(entity: str, exc: BaseException) -> str:
    if isinstance(exc, EntityNotFoundError):
        return f"{entity!r} not found (deleted, private or unknown): {exc}"
    return f"{entity!r} failed: {type(exc).__name__}: {exc}"


def fan_out(run: AssetRun, entities: Sequence[str], work: Callable[[str, EntityOutcome], None],
            sizes: Mapping[str, int | None] | None = None) -> list[EntityOutcome]:
    """Run ``work(entity, outcome)`` for every entity; returns outcomes in input order. ``sizes``: the
    expected items per entity (e.g. its follower count), so the longest lists start first.

    ``work`` fills ``outcome.rows/partitions/notes``; pages and credits come from the ledger. It is
    the one-stream-per-entity case of :func:`~.streams.fan_out_streams`, which owns the isolation,
    fatal-error and metadata rules for both.
    """
    from .streams import EntityPlan, fan_out_streams

    return fan_out_streams(run, entities,
                           plan=lambda entity, outcome: EntityPlan(streams=[entity], weights={entity: (sizes or {}).get(entity)},
                                                                   finish=lambda: run.entity_done(entity),
                                                                   abort=lambda: run.entity_failed(entity)),
                           fetch=lambda entity, _stream, outcome: work(entity, outcome))


def summarize(run: AssetRun, outcomes: Sequence[EntityOutcome]) -> None:
    """One log line per asset run. Why not one per entity: Dagster stores every ``context.log`` call
    as an event (one sqlite transaction, ~15 ms), which for 1,000 entities is 15 s of a run."""
    ok = [o for o in outcomes if o.ok]
    skipped = sum(o.skipped for o in outcomes)
    run.context.log.info(f"{run.name} [{run.window}]: {len(ok)}/{len(outcomes)} entities ok, "
                         f"{sum(o.rows for o in outcomes)} rows in {sum(o.partitions for o in outcomes)} partition(s)"
                         + (f", {skipped} unchanged stream(s) skipped" if skipped else ""))
