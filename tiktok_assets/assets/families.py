"""The two ``@multi_asset`` s that hold the eleven TikTok assets: ``tiktok_snapshots`` and ``tiktok_events``.

Why families and not one ``@asset`` each: Dagster's in-process executor runs steps one after another,
so a run took the sum of its assets' times (each with an idle tail and ~0.5 s of step overhead). In
one step per family, the selected assets run concurrently (``family_runner.py``), each as soon as its
selected upstream assets of the family have committed. Why two: a multi_asset has one partitions
definition; snapshots have none, events are daily (and a run never mixes them: the schedule emits two).

Everything users see per asset stays as it was: keys ``tiktok/<name>``, specs from the catalog
(``decorator_args.asset_spec``), one ``entities_ok`` check each, per-asset materializations and
metadata. The table checks (``table_checks.py``) run in the family step too, each asset's once it
has committed, so a run has no check step after its last request. Run config has one entry per
family, with one sub-config per asset, e.g.
``ops: {tiktok_events: {config: {comments: {videos_per_account: 5}, posts: {reobserve_days: 3}}}}``.
"""


from collections.abc import Callable, Iterator, Sequence
from typing import Any

from dagster import AssetExecutionContext, Config, multi_asset
from pydantic import Field, create_model

from ..budget.checks import LedgerWindow
from ..budget.resource import BudgetResource
from ..budget.run_limit import attach_budget
from ..catalog import CATALOG, EVENT_NAMES, SNAPSHOT_NAMES
from ..lake.store import LakeResource
from ..scavio.resource import ScavioResource
from . import comments, follow_lists, hashtags, posts, profiles, search, videos
from .asset_run import ENTITIES_CHECK, AssetBody, refuse_bad_request
from .context import AssetContext
from .decorator_args import asset_key, family_kwargs
from .family_runner import run_concurrently
from .table_checks import evaluate_table_checks

BODIES: dict[str, AssetBody] = {**profiles.BODIES, **hashtags.BODIES, **follow_lists.BODIES, **search.BODIES,
                                **posts.BODIES, **comments.BODIES, **videos.BODIES}


def family_config(name: str, family: str, names: Sequence[str]) -> type[Config]:
    """The family's run config: one optional field per asset, typed with that asset body's own config
    class (so the launchpad shows each asset's settings under its name, with their defaults).

    Built from ``BODIES`` and the family's names rather than written out, so an asset's config class is
    stated once, beside its body."""
    fields: dict[str, Any] = {n: (BODIES[n].config, Field(default_factory=BODIES[n].config,
                                                          description=f"Run config of tiktok/{n}."))
                              for n in names}
    return create_model(name, __base__=Config, __doc__=f"Run config of ``{family}``: one sub-config per asset (all optional).",
                        **fields)


SnapshotsConfig = family_config("SnapshotsConfig", "tiktok_snapshots", SNAPSHOT_NAMES)
EventsConfig = family_config("EventsConfig", "tiktok_events", EVENT_NAMES)


def run_family(context: AssetExecutionContext, config: Config, scavio: ScavioResource, lake: LakeResource,
               budget: BudgetResource) -> Iterator[Any]:
    """The body of both families: the selected assets, each followed by its selected table checks."""
    selected = [key.path[-1] for key in context.selected_asset_keys]
    names = [n for n in CATALOG if n in selected]  # catalog order: upstream assets first
    checks = [key for key in context.selected_asset_check_keys if key.name != ENTITIES_CHECK]
    the_lake = lake.get_lake()
    ledger = LedgerWindow(the_lake)  # read once, then followed, by the step's band checks

    def table_checks(name: str) -> Iterator[Any]:
        return evaluate_table_checks(the_lake, name, checks, context.run_id, ledger)

    if names:
        yield from run_assets(context, config, names, scavio, lake, budget, after=table_checks)
    # checks selected without their asset (the UI's "Execute" on a check): evaluated here, no request sent
    for table in dict.fromkeys(k.asset_key.path[-1] for k in checks if k.asset_key.path[-1] not in names):
        yield from table_checks(table)


def run_assets(context: AssetExecutionContext, config: Config, names: Sequence[str], scavio: ScavioResource,
               lake: LakeResource, budget: BudgetResource, after: Callable[[str], Iterator[Any]]) -> Iterator[Any]:
    """Check every asset's request, prepare the run's client, then run the assets (``after``: their checks)."""
    configs = {n: getattr(config, n) for n in names}
    window = context.partition_time_window if context.assets_def.partitions_def is not None else None
    tags = dict(context.run.tags)
    entities_checks = {key.asset_key for key in context.selected_asset_check_keys if key.name == ENTITIES_CHECK}

    def view(name: str, deliver: Callable[[Callable[[Any], None]], None]) -> AssetContext:
        return AssetContext(name=name, asset_key=asset_key(name), partitioned=CATALOG[name].partitioned,
                            time_window=window, run_id=context.run_id, run_tags=tags, log=context.log, deliver=deliver,
                            entities_check=asset_key(name) in entities_checks)

    def refuse(fn: Callable[[Any], None]) -> None:
        raise AssertionError("no delivery before the run starts")

    for name in names:  # every asset's request is checked before any request is sent
        refuse_bad_request(view(name, refuse), name, configs[name])
    # the run's one client and its budget limit, set up once here rather than raced by the threads
    client = scavio.get_client(run_id=context.run_id)
    attach_budget(client, lake.get_lake(), budget.get_settings(), scavio.api_key, context.run_id)

    def body(name: str, deliver: Callable[[Callable[[Any], None]], None]) -> Iterator[Any]:
        return BODIES[name].fn(view(name, deliver), configs[name], scavio, lake, budget)

    yield from run_concurrently(names, {n: CATALOG[n].deps for n in names}, body,
                                perform=lambda fn: fn(context), interrupt=client.interrupt, note=context.log.error,
                                after=after)


@multi_asset(name="tiktok_snapshots", **family_kwargs(SNAPSHOT_NAMES))
def tiktok_snapshots(context: AssetExecutionContext, config: SnapshotsConfig, scavio: ScavioResource,
                     lake: LakeResource, budget: BudgetResource) -> Iterator[Any]:
    yield from run_family(context, config, scavio, lake, budget)


@multi_asset(name="tiktok_events", **family_kwargs(EVENT_NAMES))
def tiktok_events(context: AssetExecutionContext, config: EventsConfig, scavio: ScavioResource,
                  lake: LakeResource, budget: BudgetResource) -> Iterator[Any]:
    yield from run_family(context, config, scavio, lake, budget)
