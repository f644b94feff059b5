"""``tiktok/followers`` and ``tiktok/followings`` (snapshots): each tracked account's social graph.

Partition D = the list as returned when captured on D; only today's (UTC) partition can be
materialized (the API serves current state only). One full pass per account; TikTok stops follower
lists around 5,000 entries, which is recorded in metadata when reached (not an error).
"""


from dagster import AssetExecutionContext, MaterializeResult, asset

from . import resolve
from .fanout import EntityOutcome, fan_out
from .resources import LakeResource, ScavioResource
from .runtime import AssetRun, TikTokConfig
from .spec import SNAPSHOT, asset_kwargs

GRAPH_CAP = 5000


def _graph(run: AssetRun, method: str) -> MaterializeResult:
    def work(account: str, outcome: EntityOutcome) -> None:
        sec = resolve.sec_uid(run, account)
        items = [item for page in getattr(run.client, method)(sec) for item in page.items]
        if len(items) >= GRAPH_CAP:
            outcome.notes.append(f"list cap reached ({len(items)} entries)")
        outcome.rows = run.write(account, run.window.start, items, extra={"owner_sec_uid": sec, "owner_unique_id": account})
        outcome.partitions = 1

    with run:
        run.require_today()
        return run.finish(fan_out(run, run.select("accounts"), work))


@asset(**asset_kwargs("followers", semantics=SNAPSHOT, description=__doc__, deps=["profiles"]))
def followers(context: AssetExecutionContext, config: TikTokConfig, scavio: ScavioResource, lake: LakeResource) -> MaterializeResult:
    return _graph(AssetRun.start(context, "followers", scavio, lake, config), "user_followers")


@asset(**asset_kwargs("followings", semantics=SNAPSHOT, description=__doc__, deps=["profiles"]))
def followings(context: AssetExecutionContext, config: TikTokConfig, scavio: ScavioResource, lake: LakeResource) -> MaterializeResult:
    return _graph(AssetRun.start(context, "followings", scavio, lake, config), "user_followings")
