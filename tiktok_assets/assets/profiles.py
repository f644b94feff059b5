"""``tiktok/profiles`` (snapshot): one row per tracked account, as the profile endpoint returns it today.

Snapshot semantics: partition D holds what the API returned when captured on D (``captured_at``).
The API has no history, so only today's (UTC) partition can be materialized; any other date is
refused before a credit is spent. It also resolves each account's ``sec_uid`` for the run.
Renames: accounts are keyed by ``sec_uid``. When a tracked handle answers 404 but an earlier capture
knows its ``sec_uid``, one more request by ``sec_user_id`` tells a rename from a deletion: a renamed
account is captured under its tracked name (``unique_id`` = the new handle, history kept by sec_uid)
and the rename is recorded in the entity's notes, its ``entity_status`` detail and
``fct_account_renames``; a deleted one stays a 404 (``not_found``).
"""


from typing import Any


from ..scavio.errors import EntityNotFoundError

from . import resolve
from .fanout import EntityOutcome
from ..budget.resource import BudgetResource
from ..lake.store import LakeResource
from ..scavio.resource import ScavioResource
from .asset_run import AssetBody, AssetEvents, AssetRun, TikTokConfig
from .context import AssetContext


def profile_following_renames(run: AssetRun, account: str, outcome: EntityOutcome) -> dict[str, Any]:
    """The profile of a tracked handle; after a 404, by the sec_uid an earlier capture recorded."""
    try:
        return run.client.profile(username=account)
    except EntityNotFoundError:
        known = resolve.known_from_lake(run, "profiles", account, "sec_uid")
        if not known:
            raise
        user = run.client.profile(sec_user_id=known)  # 404 again: deleted (or private), not renamed
        outcome.notes.append(f"renamed: {account!r} is now {user.get('unique_id')!r} (same sec_uid)")
        return user


def profiles(context: AssetContext, config: TikTokConfig, scavio: ScavioResource, lake: LakeResource,
        budget: BudgetResource) -> AssetEvents:
    with AssetRun.start(context, "profiles", scavio, lake, config, budget) as run:
        yield from run.finish(resolve.capture_each(run, "account", lambda account, outcome:
                                                   profile_following_renames(run, account, outcome)))


# the bodies of this module by asset name, with their config class (run by ``families.py``)
BODIES = {"profiles": AssetBody(profiles, TikTokConfig)}
