"""The public folder layout of the lake, and the reversible encoding of entity keys in it.

Layout (a contract for dbt, DuckDB and BI tools, documented in ``docs/data-dictionary.md``)::

    <lake>/<table>/date=YYYY-MM-DD/<entity_kind>=<encoded key>/part-0.parquet

``entity_kind`` comes from :data:`tiktok_assets.lake.schemas.ENTITY_KIND` (``account``, ``keyword``,
``hashtag``, ``source``, and ``run`` for ``credit_ledger``).

Why percent-encoding: tracked keys are user input (search keywords with spaces, ``/``, ``=``, emoji,
CJK...). A raw ``/`` would add a folder level, ``=`` confuses hive parsers, and unicode or ``%`` behaves
differently across S3 tools. :func:`encode_key` uses :func:`urllib.parse.quote` with the safe set
:data:`SAFE_CHARS` (ASCII letters, digits and ``-_.~@``), so every other byte of the UTF-8 key becomes
``%XX``. That is exactly what pyarrow's hive partitioning (``segment_encoding="uri"``) decodes, and
:func:`decode_key` (``unquote``) inverts it. Upper/lower case is kept as is (keys are case-sensitive).
"""

from __future__ import annotations

import posixpath
import re
from datetime import date
from typing import NamedTuple
from urllib.parse import quote, unquote

from tiktok_assets.lake.schemas import ENTITY_KIND

# Characters left as they are in a folder name, besides ASCII letters and digits. ``.`` is safe because
# the folder name always starts with "<kind>=", so a key "." or ".." never forms a special path.
SAFE_CHARS = "-_.~@"
PART_FILE = "part-0.parquet"
STAGING_DIR = "_staging"

_DATE_RE = re.compile(r"^date=(\d{4}-\d{2}-\d{2})$")


class LakePathError(ValueError):
    """A table, date, key or path does not fit the lake layout."""


class PartitionRef(NamedTuple):
    """Where one partition lives: the parts of its path, decoded (unpacks as ``table, date, key``)."""

    table: str
    date: date
    key: str


def encode_key(key: str) -> str:
    """Percent-encode an entity key into one safe folder-name segment (reversible)."""
    if not isinstance(key, str) or key == "":
        raise LakePathError(f"entity key must be a non-empty string, got {key!r}")
    return quote(key, safe=SAFE_CHARS)


def decode_key(encoded: str) -> str:
    """Invert :func:`encode_key` (``unquote``; invalid sequences are kept literally)."""
    return unquote(encoded)


def entity_kind(table: str) -> str:
    """The folder level name for ``table`` (raises a clear error for unknown tables)."""
    try:
        return ENTITY_KIND[table]
    except KeyError:
        raise LakePathError(f"unknown lake table {table!r}; known tables: {sorted(ENTITY_KIND)}") from None


def format_date(value: date | str) -> str:
    """Normalize a date (or an ISO ``YYYY-MM-DD`` string) to ``YYYY-MM-DD``."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise LakePathError(f"partition date must be YYYY-MM-DD, got {value!r}") from None
    if not isinstance(value, date):
        raise LakePathError(f"partition date must be a date, got {value!r}")
    return value.isoformat()


def table_dir(lake_url: str, table: str) -> str:
    """``<lake>/<table>`` (validates the table name)."""
    entity_kind(table)
    return posixpath.join(lake_url.rstrip("/"), table)


def partition_dir(lake_url: str, table: str, partition_date: date | str, kind: str | None, key: str) -> str:
    """``<lake>/<table>/date=YYYY-MM-DD/<kind>=<encoded key>``.

    ``kind`` may be passed explicitly (it must then match the table's) or ``None`` to look it up; the
    explicit form exists so call sites read like the layout they produce.
    """
    expected = entity_kind(table)
    if kind is not None and kind != expected:
        raise LakePathError(f"table {table!r} is partitioned by {expected!r}, not {kind!r}")
    return posixpath.join(table_dir(lake_url, table), f"date={format_date(partition_date)}", f"{expected}={encode_key(key)}")


def partition_file(lake_url: str, table: str, partition_date: date | str, key: str) -> str:
    """The one committed data file of a partition."""
    return posixpath.join(partition_dir(lake_url, table, partition_date, None, key), PART_FILE)


def parse_partition_path(path: str) -> PartitionRef:
    """Parse ``.../<table>/date=YYYY-MM-DD/<kind>=<enc>[/<file>]`` back into (table, date, key).

    Accepts absolute or relative paths, with or without a protocol and a trailing file name.
    """
    parts = [p for p in path.replace("\\", "/").split("/") if p]
    if parts and parts[-1].endswith(".parquet"):
        parts = parts[:-1]
    if len(parts) < 3:
        raise LakePathError(f"not a lake partition path: {path!r}")
    table, date_part, entity_part = parts[-3:]
    kind = ENTITY_KIND.get(table)
    if kind is None:
        raise LakePathError(f"not a lake partition path (unknown table {table!r}): {path!r}")
    match = _DATE_RE.match(date_part)
    if not match:
        raise LakePathError(f"not a lake partition path (bad date folder {date_part!r}): {path!r}")
    prefix = f"{kind}="
    if not entity_part.startswith(prefix) or entity_part == prefix:
        raise LakePathError(f"not a lake partition path (expected {prefix}<key>, got {entity_part!r}): {path!r}")
    return PartitionRef(table=table, date=date.fromisoformat(match.group(1)), key=decode_key(entity_part[len(prefix):]))
