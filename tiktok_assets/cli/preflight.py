"""Input checks shared by `materialize` and `estimate`, run before anything is sent or priced.

Why here and not in each command: both commands take the same ``--date/--end-date/--entities`` and
must refuse the same inputs with the same one-line message (a day that has not happened, a day
before the first partition, a name that is not tracked, a broken tracked file). Every check raises
``ValueError`` with that line; the commands print it and exit 2. Nothing here touches the network.
"""

from __future__ import annotations

from datetime import date

from .. import settings
from ..partitions import day_range_problem
from ..tracking import Tracked, load_tracked, tracked_path


def iso_date(value: str) -> date:
    """argparse type for ``--date``/``--end-date``: one line naming the bad value."""
    import argparse

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def check_days(start: date, end: date) -> None:
    """Refuse a range that is reversed, starts before the first partition or ends after today (UTC)."""
    from ..assets.windows import today_utc

    problem = day_range_problem(start, end, today_utc())
    if problem:
        raise ValueError(f"{problem}; nothing was requested")


def default_selection(names: list[str], start: date, end: date, today: date) -> tuple[list[str], list[str]]:
    """The assets a command runs when ``--select`` is not given, and the notices that explain it.

    Why snapshots follow the range's end: a snapshot asset captures the state now, filed under today.
    A range that reaches today (a daily run, or a first load of the last 30 days) takes them in the
    same run as the events, so a full load is one command and one Dagster run; a range that ends
    before today is a backfill of past days, which spends nothing on them (there is no past state to
    capture). Both ``materialize`` and ``estimate`` apply it, so the estimate prices what would run.
    """
    from ..catalog import SNAPSHOT_NAMES

    if end == today:
        return names, []
    return ([n for n in names if n not in SNAPSHOT_NAMES],
            [f"snapshot assets ({', '.join(SNAPSHOT_NAMES)}) skipped: they capture the current state, filed under "
             f"today ({today} UTC), and the range ends before it; --select them to capture now"])


def parse_entities(value: str | None) -> list[str] | None:
    """``--entities "a, b"`` -> ``["a", "b"]``; absent -> ``None`` (all tracked)."""
    names = [e.strip() for e in (value or "").split(",") if e.strip()]
    if value is not None and not names:
        raise ValueError("--entities names nothing; give comma-separated tracked names, or leave it out for all")
    return names or None


def check_entities(entities: list[str] | None) -> Tracked:
    """Load the tracked file (errors name file, line and key) and refuse any name it does not track.

    Why fail on one unknown name among known ones: a typo (``chef_lnia``) would otherwise capture
    the others and quietly skip the intended account, which reads as "captured" in the summary.
    """
    tracked = load_tracked()
    unknown = [e for e in entities or [] if e not in tracked.all_names()]
    if unknown:
        raise ValueError(f"--entities: not tracked in {tracked_path()}: {', '.join(unknown)} "
                         f"(track them with `tiktok-assets track`, or fix the names)")
    return tracked


def require_api_key() -> None:
    """Refuse to start a run that would fail on its first request (or, in Dagster, at config time)."""
    if not settings.env(settings.SCAVIO_API_KEY):
        raise ValueError(f"{settings.SCAVIO_API_KEY} is not set; export {settings.SCAVIO_API_KEY}=<your Scavio API key>")


def check_state() -> None:
    """Connect to the shared state (pace, budget, ledger) before any request: without it nothing may
    be sent, and an unreachable database is one line naming ``TIKTOK_STATE_URL``, not a traceback."""
    from ..state.engine import StateUnavailableError, get_engine

    try:
        get_engine()
    except StateUnavailableError as exc:
        raise ValueError(str(exc)) from None


def check_lake() -> None:
    """The lake's own reachability check (a local folder created and writable; an object store's
    bucket answering with these credentials) before any request: a lake that cannot be written would
    otherwise fail each asset's commit after its requests were paid for."""
    from ..lake.delta import LakeUnreachableError
    from ..lake.store import Lake

    lake = Lake(settings.lake_url(), settings.env(settings.TIKTOK_S3_ENDPOINT_URL))
    try:
        lake.check_reachable()
    except LakeUnreachableError as exc:
        raise ValueError(f"{exc} (set by {settings.TIKTOK_LAKE_URL})") from None
