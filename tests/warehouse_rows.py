"""Every table of some warehouse schemas with its rows in a stable order: what the tests compare when
they say "the same warehouse" (an incremental build vs a full rebuild, a deleted warehouse rebuilt)."""

from __future__ import annotations

from pathlib import Path

import duckdb


def warehouse_tables(warehouse: Path, schemas: tuple[str, ...] = ("marts",)) -> dict[str, list[tuple]]:
    """``{"schema.table": rows}`` for every table of ``schemas``, rows sorted (DuckDB gives no order)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        names = [f"{s}.{t}" for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join('?' for _ in schemas)}) order by 1, 2", list(schemas)).fetchall()]
        return {n: sorted(con.execute(f"select * from {n}").fetchall(), key=repr) for n in names}
    finally:
        con.close()
