"""Concurrency across *streams*, not just entities: every video's comments, every comment's replies.

Why: with one task per entity, an account's 10 videos (or 50 top comments) were paged one after the
other, so the longest accounts set the asset's duration while most of the ``max_concurrency`` slots
idled at the tail. Here the work of all entities of an asset is one flat list of independent streams
run by ``client.map_concurrent``; the pages *within* a stream stay sequential (each needs the
previous cursor). What stays per entity, as in :func:`fan_out`:

- isolation: an entity error in one stream marks only that entity failed; its other streams are
  not started, its writes are aborted, the other entities' partitions are committed;
- commit: an entity's :class:`EntityPlan` ``finish`` (commit its sink, then record its stream
  fingerprints) runs as soon as its last stream succeeded, so only a few entities hold open
  writers at a time (streams are queued entity by entity);
- ledger: every request runs inside ``client.tagged(asset, partition, entity)``;
- a fatal error (401/402/lake write) aborts every unfinished entity and fails the step;
- a budget stop (the client refused to send: daily/monthly budget or run cap) sends nothing more,
  but lets the streams already answered finish, so the entities that were paid for are committed
  before the step fails: a budget never turns credits already spent into lost data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dagster import Failure, MetadataValue

from ..scavio.errors import RUN_STOPPING_ERRORS, BudgetExceededError
from .fanout import EntityOutcome, describe_entity_error, is_entity_error, summarize

if TYPE_CHECKING:
    from .asset_run import AssetRun


@dataclass
class EntityPlan:
    """One entity's streams and how to end its work (``finish`` on success, ``abort`` otherwise)."""

    streams: list[Any]
    # expected items of each stream (a parent's count: a video's comment_count, a comment's reply total);
    # the longest streams are queued first, so the asset does not end on a tail of one long stream
    weights: Mapping[Any, int | None] = field(default_factory=dict)
    finish: Callable[[], None] = lambda: None
    abort: Callable[[], None] = lambda: None
    started: float = field(default_factory=time.perf_counter)
    first_stream_at: float | None = None  # queue time before the first stream is not the entity's work

    def ordered_streams(self) -> list[Any]:
        """The streams, longest expected first (unknown counts last, in plan order)."""
        return sorted(self.streams, key=lambda s: -(self.weights.get(s) or 0))


def longest_first(plans: Mapping[str, EntityPlan], entities: Sequence[str]) -> list[str]:
    """The planned entities, the one with the longest expected stream first (ties: input order).

    Why: pages within a stream are sequential, so a long stream queued last runs alone at the end
    while the other slots idle (longest-processing-time-first scheduling). Entities stay whole, so
    only a few entities hold open writers at once."""
    planned = [e for e in entities if e in plans]
    return sorted(planned, key=lambda e: -max((w or 0 for w in plans[e].weights.values()), default=0))


def cause_to_chain(exc: BaseException) -> BaseException | None:
    """The cause a run's :class:`Failure` carries: none for an error that says it all (see
    ``RUN_STOPPING_ERRORS``), else ``exc`` with its traceback."""
    return None if isinstance(exc, RUN_STOPPING_ERRORS) else exc


def fan_out_streams(run: AssetRun, entities: Sequence[str], plan: Callable[[str, EntityOutcome], EntityPlan],
                    fetch: Callable[[str, Any, EntityOutcome], None]) -> list[EntityOutcome]:
    """Plan each entity (``plan(entity, outcome)``), run all planned streams concurrently
    (``fetch(entity, stream, outcome)``), finish each entity when its streams are done."""
    outcomes = {e: EntityOutcome(e) for e in entities}
    plans: dict[str, EntityPlan] = {}
    remaining: dict[str, int] = {}  # only touched by the consuming (this) thread
    budget_stop: list[tuple[str, BaseException]] = []  # the first refusal by the budget, raised at the end

    def tags(entity: str) -> Any:
        return run.client.tagged(asset=run.name, partition=str(run.window), entity=entity)

    def plan_task(entity: str) -> EntityPlan:
        with tags(entity):
            return plan(entity, outcomes[entity])

    def stream_task(job: tuple[str, Any]) -> None:
        entity, stream = job
        if outcomes[entity].error is not None:
            return  # a sibling stream already failed this entity: don't spend more on it
        p = plans.get(entity)
        if p is not None and p.first_stream_at is None:
            p.first_stream_at = time.perf_counter()
        with tags(entity):
            fetch(entity, stream, outcomes[entity])

    def end(entity: str) -> None:
        p, o = plans.pop(entity), outcomes[entity]
        if o.ok:
            try:
                p.finish()
            except BaseException as exc:
                p.abort()
                failed(entity, exc)  # raises Failure when fatal (a lake write error)
        else:
            p.abort()
        o.seconds = round(time.perf_counter() - (p.first_stream_at or p.started), 3)

    def fatal(entity: str, exc: BaseException) -> Failure:
        for p in list(plans.values()):
            p.abort()
        plans.clear()
        run.fill_ledger_stats(list(outcomes.values()))
        done = [e for e, o in outcomes.items() if o.ok and e not in remaining]
        return Failure(
            description=(f"{run.name} [{run.window}] stopped at {entity!r}: {type(exc).__name__}: {exc}. "
                         f"Partitions already committed stay intact (entities finished: {', '.join(done) or 'none'})."),
            metadata={"entities": run.entity_table(list(outcomes.values())),
                      "credits_used": MetadataValue.int(run.credits_used())},
        )

    def failed(entity: str, exc: BaseException) -> None:
        if isinstance(exc, BudgetExceededError):  # nothing more is sent; finish what was paid, fail at the end
            budget_stop.append((entity, exc))
            outcomes[entity].error = outcomes[entity].error or f"{entity!r} not captured: {exc}"
            return
        if not is_entity_error(exc):
            raise fatal(entity, exc) from cause_to_chain(exc)
        if outcomes[entity].error is None:
            outcomes[entity].error = describe_entity_error(entity, exc)
            run.context.log.warning(f"{run.name} [{run.window}] {outcomes[entity].error}")

    with closing(run.client.map_concurrent(plan_task, list(entities))) as planned:
        for entity, result in planned:
            if isinstance(result, BaseException):
                failed(entity, result)
            else:
                plans[entity] = result
    jobs: list[tuple[str, Any]] = []
    for entity in longest_first(plans, entities):  # entity by entity: few entities hold open writers at once
        jobs += [(entity, s) for s in plans[entity].ordered_streams()]
        remaining[entity] = len(plans[entity].streams)
    for entity in [e for e, n in remaining.items() if n == 0]:
        del remaining[entity]
        end(entity)
    with closing(run.client.map_concurrent(stream_task, jobs)) as results:
        for (entity, _stream), result in results:
            if isinstance(result, BaseException):
                failed(entity, result)
            remaining[entity] -= 1
            if remaining[entity] == 0:
                del remaining[entity]
                end(entity)
    if budget_stop:
        entity, exc = budget_stop[0]
        raise fatal(entity, exc) from cause_to_chain(exc)
    ordered = [outcomes[e] for e in entities]
    run.fill_ledger_stats(ordered)
    summarize(run, ordered)
    return ordered
