"""Which accounts, hashtags and keywords the pipeline follows: ``tracked.yaml``.

Why a plain YAML file and not Dagster dynamic partitions: entities are not a partition dimension
(see ``partitions.py``); the file is reviewable in git, editable by hand or with
``tiktok-assets track|untrack``, and read fresh at the start of each run, so adding an account needs
no redeploy. Its location comes from ``TIKTOK_TRACKED_FILE`` (default ``tracked.yaml`` in the cwd),
read when called, never at import.

Why the loader walks PyYAML's node graph instead of ``safe_load``'s dicts: a hand-edited file is the
commonest user input of this project, and its mistakes (a typo'd key, ``null``/``true``/``12345``
as a name, a missing file) must fail with the file, the line and the key, not capture nothing or
query ``'None'``. Nodes carry their line (``start_mark``) and their resolved type (``tag``).
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from . import settings

KINDS: tuple[str, ...] = ("accounts", "hashtags", "keywords")
MAX_KEYWORD_CHARS = 500  # the API's documented keyword limit (1-500 chars)
_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_TYPE_NAMES = {"tag:yaml.org,2002:null": "null", "tag:yaml.org,2002:bool": "a boolean",
               "tag:yaml.org,2002:int": "a number", "tag:yaml.org,2002:float": "a number",
               "tag:yaml.org,2002:timestamp": "a date"}


class TrackedFileError(ValueError):
    """tracked.yaml is missing, unreadable, or holds something other than lists of names."""


@dataclass(frozen=True)
class Tracked:
    accounts: tuple[str, ...] = field(default_factory=tuple)
    hashtags: tuple[str, ...] = field(default_factory=tuple)
    keywords: tuple[str, ...] = field(default_factory=tuple)

    def of(self, kind: str) -> tuple[str, ...]:
        return getattr(self, kind)

    def all_names(self) -> set[str]:
        return {*self.accounts, *self.hashtags, *self.keywords}


def tracked_path(path: str | os.PathLike[str] | None = None) -> Path:
    return Path(path) if path is not None else Path(settings.env(settings.TIKTOK_TRACKED_FILE, settings.DEFAULT_TRACKED_FILE))


def tracked_url(path: str | os.PathLike[str] | None = None) -> str | None:
    """The tracked file's object-store URL (``s3://bucket/tracked.yaml``), or None for a local file.

    Why: in a deployment every run pod must read the same list; an object next to the lake is the
    simplest shared place (see ``docs/deploy/``). Reads and writes go through fsspec, with the
    lake's endpoint setting (``TIKTOK_S3_ENDPOINT_URL``) and the usual AWS credentials.
    """
    value = os.fspath(path) if path is not None else settings.env(settings.TIKTOK_TRACKED_FILE, settings.DEFAULT_TRACKED_FILE)
    return value if "://" in str(value) and not str(value).startswith("file://") else None


def remote_fs(url: str):  # -> fsspec.AbstractFileSystem
    import fsspec

    endpoint = settings.env(settings.TIKTOK_S3_ENDPOINT_URL)
    options = {"client_kwargs": {"endpoint_url": endpoint}} if endpoint and url.startswith("s3") else {}
    return fsspec.core.url_to_fs(url, skip_instance_cache=True, **options)[0]


def _read_text(path: str | os.PathLike[str] | None) -> str:
    """The tracked file's text, local or remote; FileNotFoundError when it is absent."""
    url = tracked_url(path)
    if url is None:
        return tracked_path(path).read_text(encoding="utf-8")
    with remote_fs(url).open(url, "rb") as fh:
        return fh.read().decode("utf-8")


def normalize_name(kind: str, name: str) -> str:
    """Validate one name; raises ``ValueError`` naming the bad value. Strips ``@``/``#`` prefixes."""
    if kind not in KINDS:
        raise ValueError(f"unknown entity kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not isinstance(name, str):
        raise ValueError(f"{kind}: {name!r} is not a string")
    value = name.strip()
    if kind == "accounts":
        value = value.removeprefix("@").strip()
    elif kind == "hashtags":
        value = value.removeprefix("#").strip()
    if not value:
        raise ValueError(f"{kind}: empty name {name!r}")
    if kind == "keywords" and len(value) > MAX_KEYWORD_CHARS:
        raise ValueError(f"keywords: {value[:40]!r}... is {len(value)} characters; the API accepts 1-{MAX_KEYWORD_CHARS}")
    if kind != "keywords" and any(ch.isspace() for ch in value):
        raise ValueError(f"{kind}: {value!r} contains whitespace")
    return value


def _dedup(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def compose_kinds(text: str, where: Path | str) -> dict[str, tuple[yaml.ScalarNode, yaml.Node]]:
    """``kind -> (key node, value node)`` of the document, every structural mistake raised with its line.

    Shared by :func:`parse_tracked` and the comment-keeping editor (:mod:`tiktok_assets.tracking_edit`),
    which needs the nodes' positions in the text.
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f"{where}:{mark.line + 1}" if mark is not None else str(where)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise TrackedFileError(f"{at}: not valid YAML: {problem}") from None
    if root is None:
        return {}  # an empty file (or only comments): nothing tracked yet
    if not isinstance(root, yaml.MappingNode):
        raise TrackedFileError(f"{where}:{_line(root)}: expected a mapping with the keys {', '.join(KINDS)}")
    found: dict[str, tuple[yaml.ScalarNode, yaml.Node]] = {}
    for key, value in root.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else None
        if name not in KINDS:
            close = difflib.get_close_matches(str(name), KINDS, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            raise TrackedFileError(f"{where}:{_line(key)}: unknown key {name!r}{hint}; "
                                   f"the keys are {', '.join(KINDS)}")
        if name in found:
            raise TrackedFileError(f"{where}:{_line(key)}: key '{name}' appears twice "
                                   f"(first on line {_line(found[name][0])})")
        if not (isinstance(value, yaml.SequenceNode) or (isinstance(value, yaml.ScalarNode) and value.tag == _NULL)):
            raise TrackedFileError(f"{where}:{_line(value)}: '{name}' must be a list of names")
        found[name] = (key, value)
    return found


def item_name(kind: str, item: yaml.Node, where: Path | str) -> str:
    """The normalized name of one list entry; anything but a non-empty string is an error with its line."""
    if not isinstance(item, yaml.ScalarNode) or item.tag != _STR:
        what = _TYPE_NAMES.get(item.tag, "a list" if isinstance(item, yaml.SequenceNode) else "a mapping"
                               if isinstance(item, yaml.MappingNode) else f"not a string ({item.tag})")
        shown = item.value if isinstance(item, yaml.ScalarNode) else "..."
        hint = "; quote it if it is a name" if isinstance(item, yaml.ScalarNode) and item.value else ""
        raise TrackedFileError(f"{where}:{_line(item)}: '{kind}': entry {shown!r} is {what}, not a name{hint}")
    try:
        return normalize_name(kind, item.value)
    except ValueError as exc:
        raise TrackedFileError(f"{where}:{_line(item)}: {exc}") from None


def parse_tracked(text: str, where: Path | str) -> Tracked:
    """Validate and read the file's text (``where`` names it in errors)."""
    values: dict[str, tuple[str, ...]] = {}
    for kind, (_key, node) in compose_kinds(text, where).items():
        items = node.value if isinstance(node, yaml.SequenceNode) else []
        values[kind] = _dedup(item_name(kind, item, where) for item in items)
    return Tracked(**values)


def load_tracked(path: str | os.PathLike[str] | None = None, *, missing_ok: bool = False) -> Tracked:
    """Read the file now. A missing file is an error (a typo in ``TIKTOK_TRACKED_FILE`` must not read
    as "nothing tracked"), except for ``track``, which creates it (``missing_ok``)."""
    p = tracked_url(path) or tracked_path(path)
    try:
        text = _read_text(path)
    except FileNotFoundError:
        if missing_ok:
            return Tracked()
        raise TrackedFileError(f"{p}: tracked file not found (set {settings.TIKTOK_TRACKED_FILE} to your "
                               f"tracked.yaml, or create it with `tiktok-assets track`)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TrackedFileError(f"{p}: cannot read the tracked file: {exc}") from None
    return parse_tracked(text, p)


def track(kind: str, names: Iterable[str], path: str | os.PathLike[str] | None = None) -> tuple[Tracked, list[str]]:
    """Add names (validated, deduplicated); returns the new state and the names actually added."""
    new = [normalize_name(kind, n) for n in names]
    current = load_tracked(path, missing_ok=True)
    existing = current.of(kind)
    added = [n for n in _dedup(new) if n not in existing]
    updated = replace(current, **{kind: existing + tuple(added)})
    if added:  # an unchanged file is not rewritten
        _write(path, kind, updated)
    return updated, added


def untrack(kind: str, names: Iterable[str], path: str | os.PathLike[str] | None = None) -> tuple[Tracked, list[str]]:
    """Remove names; returns the new state and the names actually removed (unknown ones are ignored)."""
    drop = {normalize_name(kind, n) for n in names}
    current = load_tracked(path)
    removed = [n for n in current.of(kind) if n in drop]
    updated = replace(current, **{kind: tuple(n for n in current.of(kind) if n not in drop)})
    if removed:
        _write(path, kind, updated)
    return updated, removed


def _write(path: str | os.PathLike[str] | None, kind: str, tracked: Tracked) -> None:
    from .tracking_edit import write_tracked, write_tracked_remote

    url = tracked_url(path)
    if url is None:
        write_tracked(tracked_path(path), kind, tracked)
    else:
        write_tracked_remote(url, remote_fs(url), kind, tracked)
