"""`make demo`: the whole pipeline on one machine, no API key, no network.

Why in-process: the simulator (seed 42) serves the documented API over real HTTP on loopback, so
the demo exercises the very client, Dagster definitions and lake code that production runs. It
tracks the demo entities, materializes today's partition of all eleven assets as one run (the same
path as `tiktok-assets materialize`), and prints the per-asset summary. Data lands in ``data/lake``;
the run is recorded in ``.dagster_home`` so `make dev` shows it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .instance_home import DEFAULT_HOME_DIR, ensure_dagster_home

DEMO_KEY = "sk-demo-simulator-key"


def configure_env(sim_url: str, root: Path) -> None:
    """The embedded default's environment: the simulator's URL and key, the lake, state, warehouse and
    instance under ``root`` (shared by ``make demo``, ``make dev`` and the CLI run from ``root``)."""
    data = root / "data"
    home = ensure_dagster_home(root / DEFAULT_HOME_DIR)
    os.environ.update({
        "SCAVIO_API_KEY": DEMO_KEY,
        "SCAVIO_BASE_URL": sim_url,
        "SCAVIO_RATE_LIMIT": "1000",
        "SCAVIO_RATE_WINDOW_SECONDS": "1",
        "SCAVIO_MAX_CONCURRENCY": "8",
        "TIKTOK_LAKE_URL": str(data / "lake"),
        "TIKTOK_STATE_DIR": str(data / "state"),
        "TIKTOK_WAREHOUSE": str(data / "warehouse.duckdb"),
        "DAGSTER_HOME": str(home),
    })


def track_demo_entities(universe_module: object) -> None:
    from .tracking import track

    track("accounts", getattr(universe_module, "DEMO_ACCOUNTS"))
    track("hashtags", getattr(universe_module, "DEMO_HASHTAGS"))
    track("keywords", getattr(universe_module, "DEMO_KEYWORDS"))


MART_PREVIEWS = {
    "dim_accounts": "select username, nickname, follower_count, following_count, video_count, likes_count "
                    "from marts.dim_accounts order by follower_count desc limit 5",
    "fct_videos": "select video_id, author_username, play_count, like_count, round(engagement_rate, 4) as engagement_rate "
                  "from marts.fct_videos order by play_count desc nulls last limit 5",
}


def print_marts(warehouse: str) -> None:
    """Show what an analyst's BI tool sees: a few rows of two marts, read-only, as a BI tool connects."""
    import duckdb

    con = duckdb.connect(warehouse, read_only=True)
    try:
        for name, sql in MART_PREVIEWS.items():
            cur = con.execute(sql)
            cols = [d[0] for d in cur.description]
            rows = cur.fetchall()
            print(f"\n{name} (top {len(rows)}):")
            print(text_table(cols, rows))
    finally:
        con.close()


def text_table(cols: list[str], rows: list[tuple]) -> str:
    """Rows as aligned columns. Cells are made printable on one line (a nickname may hold ``|``,
    newlines or tabs), so the columns line up whatever the data holds."""
    def cell(v: object) -> str:
        text = "" if v is None else str(v)
        return " ".join(text.split())[:40]

    cells = [[cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(cols)]
    lines = ["  " + "  ".join(c.ljust(w) for c, w in zip(cols, widths)),
             "  " + "  ".join("-" * w for w in widths)]
    lines += ["  " + "  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)


def after_materialize(summary: object) -> bool:
    """dbt builds the marts over the lake just written, as the dbt assets of the Definitions (so the UI
    shows them materialized with their checks); then two marts are printed from the warehouse."""
    from . import settings
    from .dbt.materialize import materialize_dbt
    from .dbt.project import resolve_warehouse

    print("building the dbt models as Dagster assets ...")
    built = materialize_dbt()
    print(built.describe())
    for failure in built.failed:
        print(f"  dbt: {failure}")
    if not built.success:
        return False
    warehouse = resolve_warehouse(settings.env(settings.TIKTOK_WAREHOUSE, settings.DEFAULT_WAREHOUSE))
    print_marts(warehouse)
    print(f"\nwarehouse for BI tools (open read-only): {warehouse}")
    return True


def main() -> int:
    from . import settings, simulator
    from .assets.windows import today_utc
    from .cli.materialize_cmd import format_summary, materialize

    try:
        settings.log_level()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    root = Path.cwd()
    cfg = simulator.SimulatorConfig(seed=42, api_key=DEMO_KEY, rate_limit=None)
    with simulator.SimulatorServer(cfg) as sim:
        configure_env(sim.url, root)
        track_demo_entities(simulator)
        day = today_utc()
        print(f"simulator at {sim.url}; lake at {os.environ['TIKTOK_LAKE_URL']}; DAGSTER_HOME={os.environ['DAGSTER_HOME']}")
        summary = materialize(day, day)
        print(format_summary(summary))
        stats = sim.stats()
        print(f"simulator: {sum(stats['requests'].values())} requests, {stats['charged']} credits charged")
        dbt_ok = after_materialize(summary)
    return 0 if summary.ok and dbt_ok else 1


if __name__ == "__main__":
    sys.exit(main())
