"""``tiktok/profiles`` (snapshot): one row per tracked account, as the profile endpoint returns it today.

Snapshot semantics: partition D holds what the API returned when captured on D (``captured_at``).
The API has no history, so only today's (UTC) partition can be materialized; any other date is
refused before a credit is spent. It also resolves each account's ``sec_uid`` for the run.
"""


from dagster import AssetExecutionContext, MaterializeResult, asset

from . import resolve
from .fanout import EntityOutcome, fan_out
from .resources import LakeResource, ScavioResource
from .runtime import AssetRun, TikTokConfig
from .spec import SNAPSHOT, asset_kwargs


@asset(**asset_kwargs("profiles", semantics=SNAPSHOT, description=__doc__))
def profiles(context: AssetExecutionContext, config: TikTokConfig, scavio: ScavioResource, lake: LakeResource) -> MaterializeResult:
    with AssetRun.start(context, "profiles", scavio, lake, config) as run:
        run.require_today()

        def work(account: str, outcome: EntityOutcome) -> None:
            user = run.client.profile(username=account)
            resolve.remember(run, "account", account, user.get("sec_uid"))
            outcome.rows = run.write(account, run.window.start, [user])
            outcome.partitions = 1

        return run.finish(fan_out(run, run.select("accounts"), work))
