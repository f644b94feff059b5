"""Tolerant value coercion from API JSON to the lake's column types.

Why tolerant: real TikTok payloads drift (ids as numbers or strings, counts as numeric strings, 0/1
or true/false flags, absent optional objects, empty ``url_list``). A missing or unusable value becomes
null rather than an exception; the ``raw`` column keeps the original, so nothing is lost. Ids are
strings because 19-digit ids lose precision as doubles; counts are int64 and must fit it.
"""

from __future__ import annotations

import math
from typing import Any

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def dig(obj: Any, *path: str) -> Any:
    """``obj[p0][p1]...`` or None as soon as a level is missing or not a dict."""
    for key in path:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def to_id(value: Any) -> str | None:
    """An identifier as a string: ints are formatted exactly, "" and non-scalars become null."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else None
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return None


def to_text(value: Any) -> str | None:
    """Free text (kept exactly, including ""); numbers are formatted, objects become null."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return None


def to_int(value: Any) -> int | None:
    """A count or a unix time as int64; floats must be integral, numeric strings are parsed."""
    if value is None:
        return None
    if isinstance(value, bool):
        result: int | None = int(value)
    elif isinstance(value, int):
        result = value
    elif isinstance(value, float):
        result = int(value) if math.isfinite(value) and value.is_integer() else None
    elif isinstance(value, str):
        try:
            result = int(value.strip())
        except ValueError:
            try:
                as_float = float(value)
            except ValueError:
                return None
            result = int(as_float) if math.isfinite(as_float) and as_float.is_integer() else None
    else:
        return None
    if result is not None and not INT64_MIN <= result <= INT64_MAX:
        return None
    return result


def to_bool(value: Any) -> bool | None:
    """0/1, true/false (bool or string) to a bool; anything else is null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return bool(value) if value in (0, 1) else None
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true"):
            return True
        if lowered in ("0", "false"):
            return False
    return None


def first_url(image: Any) -> str | None:
    """``image.url_list[0]`` of an avatar/cover object; a bare string URL is accepted as is."""
    if isinstance(image, str):
        return image or None
    urls = dig(image, "url_list")
    if isinstance(urls, list) and urls and isinstance(urls[0], str) and urls[0]:
        return urls[0]
    return None


def first_url_of(obj: Any, *names: str) -> str | None:
    """The first non-null :func:`first_url` among ``obj[name]`` for ``names`` in order."""
    for name in names:
        url = first_url(dig(obj, name))
        if url is not None:
            return url
    return None
