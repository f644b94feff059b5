"""Which accounts, hashtags and keywords the pipeline follows: ``tracked.yaml``.

Why a plain YAML file and not Dagster dynamic partitions: entities are not a partition dimension
(see ``partitions.py``); the file is reviewable in git, editable by hand or with
``tiktok-assets track|untrack``, and read fresh at the start of each run, so adding an account needs
no redeploy. Its location comes from ``TIKTOK_TRACKED_FILE`` (default ``tracked.yaml`` in the cwd),
read when called, never at import.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from . import settings

KINDS: tuple[str, ...] = ("accounts", "hashtags", "keywords")
MAX_KEYWORD_CHARS = 500  # the API's documented keyword limit (1-500 chars)


class TrackedFileError(ValueError):
    """tracked.yaml is unreadable or holds something other than lists of names."""


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


def load_tracked(path: str | os.PathLike[str] | None = None) -> Tracked:
    """Read the file now; a missing file means nothing is tracked."""
    p = tracked_path(path)
    if not p.exists():
        return Tracked()
    try:
        doc = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise TrackedFileError(f"{p}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise TrackedFileError(f"{p}: expected a mapping with keys {', '.join(KINDS)}")
    values: dict[str, tuple[str, ...]] = {}
    for kind in KINDS:
        raw = doc.get(kind) or []
        if not isinstance(raw, list):
            raise TrackedFileError(f"{p}: '{kind}' must be a list of names")
        try:
            values[kind] = _dedup(normalize_name(kind, str(v)) for v in raw)
        except ValueError as exc:
            raise TrackedFileError(f"{p}: {exc}") from exc
    return Tracked(**values)


def _header(p: Path) -> str:
    """Keep the leading comment block when rewriting (yaml.dump drops comments)."""
    if not p.exists():
        return ""
    lines = []
    for line in p.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines) + ("\n" if lines else "")


def save_tracked(tracked: Tracked, path: str | os.PathLike[str] | None = None) -> Path:
    """Atomic rewrite (temp file + rename) so a crash never leaves half a file."""
    p = tracked_path(path)
    body = yaml.safe_dump({k: list(tracked.of(k)) for k in KINDS}, allow_unicode=True, sort_keys=False)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tracked-", dir=p.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(_header(p) + body)
    os.replace(tmp, p)
    return p


def track(kind: str, names: Iterable[str], path: str | os.PathLike[str] | None = None) -> tuple[Tracked, list[str]]:
    """Add names (validated, deduplicated); returns the new state and the names actually added."""
    new = [normalize_name(kind, n) for n in names]
    current = load_tracked(path)
    existing = current.of(kind)
    added = [n for n in _dedup(new) if n not in existing]
    updated = replace(current, **{kind: existing + tuple(added)})
    if added:  # an unchanged file is not rewritten (keeps its formatting and comments)
        save_tracked(updated, path)
    return updated, added


def untrack(kind: str, names: Iterable[str], path: str | os.PathLike[str] | None = None) -> tuple[Tracked, list[str]]:
    """Remove names; returns the new state and the names actually removed (unknown ones are ignored)."""
    drop = {normalize_name(kind, n) for n in names}
    current = load_tracked(path)
    removed = [n for n in current.of(kind) if n in drop]
    updated = replace(current, **{kind: tuple(n for n in current.of(kind) if n not in drop)})
    if removed:
        save_tracked(updated, path)
    return updated, removed
