"""``tiktok/followers`` and ``tiktok/followings`` (snapshots): each tracked account's social graph.

Each materialization captures the lists now, filed under today's UTC date (no partitions: the
API serves current state only). One full pass per account, its pages streamed into the account's
``DaySink`` as they arrive (bounded memory); TikTok stops follower lists around 5,000 entries, which
is recorded in metadata when reached (not an error).
Reruns: when today's partition exists and the profile's ``follower_count`` / ``following_count``
(freshest ``profiles`` row; the profiles asset runs first in the same run) equals the count recorded
when that partition was written, the account is skipped (``assets/state.py``; ``refresh: true``
fetches anyway).
"""


from . import resolve
from .fanout import EntityOutcome, fan_out
from ..budget.resource import BudgetResource
from ..lake.store import LakeResource
from ..scavio.resource import ScavioResource
from .asset_run import AssetBody, AssetEvents, AssetRun, TikTokConfig
from .context import AssetContext
from .sink import DaySink
from .state import StreamState
from .unchanged import save_all, unchanged_single

GRAPH_CAP = 5000
COUNT_COLUMN = {"user_followers": "follower_count", "user_followings": "following_count"}


def latest_counts(run: AssetRun, table: str, keys: list[str], column: str) -> dict[str, int | None]:
    """key -> ``column`` of its freshest row in ``table`` (one read for all keys)."""
    if not keys:
        return {}
    t = run.lake.read(table, keys=keys, columns=["tracked_entity", column, "captured_at"])
    out: dict[str, int | None] = {}
    for r in sorted(t.to_pylist(), key=lambda r: r["captured_at"]):
        out[r["tracked_entity"]] = r[column]
    return out


def _graph(run: AssetRun, method: str) -> AssetEvents:
    state = StreamState(run.lake, run.name)
    day = run.window.start
    counts: dict[str, int | None] = {}

    def work(account: str, outcome: EntityOutcome) -> None:
        if unchanged_single(run, state, account, method, counts.get(account), outcome, COUNT_COLUMN[method]):
            return
        sec = resolve.sec_uid(run, account)
        extra = {"owner_sec_uid": sec, "owner_unique_id": account}
        served = 0
        with DaySink(run, account, outcome) as sink:  # today's capture, also when the list is empty
            for page in getattr(run.client, method)(sec):  # no documented order: read to the end
                served += len(page.items)
                sink.add(page.items, extra, day=day)
                if page.stop_reason:
                    outcome.notes.append(f"list ended after page {page.page_number}: {page.stop_reason}")
        if served >= GRAPH_CAP:
            outcome.notes.append(f"list cap reached ({served} entries)")
        save_all(run, state, account, {method: counts.get(account)})  # after the commit, never before

    with run:
        accounts = run.select("accounts")
        counts.update(latest_counts(run, "profiles", accounts, COUNT_COLUMN[method]))
        yield from run.finish(fan_out(run, accounts, work, sizes=counts))


def followers(context: AssetContext, config: TikTokConfig, scavio: ScavioResource, lake: LakeResource,
        budget: BudgetResource) -> AssetEvents:
    yield from _graph(AssetRun.start(context, "followers", scavio, lake, config, budget), "user_followers")


def followings(context: AssetContext, config: TikTokConfig, scavio: ScavioResource, lake: LakeResource,
        budget: BudgetResource) -> AssetEvents:
    yield from _graph(AssetRun.start(context, "followings", scavio, lake, config, budget), "user_followings")


# the bodies of this module by asset name, with their config class (run by ``families.py``)
BODIES = {"followers": AssetBody(followers, TikTokConfig), "followings": AssetBody(followings, TikTokConfig)}
