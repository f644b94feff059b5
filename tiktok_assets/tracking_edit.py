"""Write one kind's list of ``tracked.yaml`` back without losing the rest of the file.

Why a text edit and not ``yaml.safe_dump`` of the whole document: the file is written by people, and
its comments (why an account is tracked, who asked for it) are part of it; ``safe_dump`` drops them.
ruamel.yaml would round-trip comments but is not a dependency, so the edit is done on the text, at
the positions PyYAML's node marks give:

- a block list (``- name`` lines) gets new ``- name`` lines after its last entry, with the same
  indentation, and loses the lines of removed entries (an emptied list becomes ``[]``);
- a flow list (``[a, b]``), an empty value or a missing key is replaced by a flow list.

The edited text is parsed again and must read back as exactly the intended state; if it does not (an
unusual layout, e.g. two entries on one line), the file is rewritten whole, keeping its leading
comment block. The write is atomic (temp file + rename) and keeps the file's permission bits; the
directory must exist (a typo in ``--file`` must not create directories).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .tracking import KINDS, Tracked, TrackedFileError, compose_kinds, item_name, parse_tracked

_DUMP = {"allow_unicode": True, "width": 2**31 - 1, "sort_keys": False}


def _block_item(name: str) -> str:
    """``name`` as the text after ``- `` on one line (quoted where YAML needs it)."""
    text = yaml.safe_dump([name], default_flow_style=False, **_DUMP)
    if text.count("\n") != 1:  # a newline in the name: a double-quoted (JSON-compatible) scalar
        import json
        return json.dumps(name, ensure_ascii=False)
    return text[2:-1]


def _flow_list(names: tuple[str, ...]) -> str:
    text = yaml.safe_dump(list(names), default_flow_style=True, **_DUMP).strip()
    return text if "\n" not in text else "[" + ", ".join(_block_item(n) for n in names) + "]"


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines) + ("\n" if lines else "")


def full_text(tracked: Tracked, header: str = "") -> str:
    body = yaml.safe_dump({k: list(tracked.of(k)) for k in KINDS}, **_DUMP)
    return header + body


def edit_text(text: str, where: Path | str, kind: str, tracked: Tracked) -> str:
    """``text`` with ``kind``'s list changed to ``tracked.of(kind)`` (a best effort; verified by the caller)."""
    nodes = compose_kinds(text, where)
    want = tracked.of(kind)
    if kind not in nodes:
        sep = "" if not text or text.endswith("\n") else "\n"
        return f"{text}{sep}{kind}: {_flow_list(want)}\n"
    key, value = nodes[kind]
    if isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
        return _edit_block(text, where, kind, key, value, want)
    start, end = value.start_mark.index, value.end_mark.index
    if isinstance(value, yaml.SequenceNode) and not value.flow_style:
        end = value.value[-1].end_mark.index  # the block's own end mark reaches into the next key
    replacement = _flow_list(want)
    if text[start - 1:start] == ":":
        replacement = " " + replacement
    return text[:start] + replacement + text[end:]


def _edit_block(text: str, where: Path | str, kind: str, key: yaml.Node, node: yaml.SequenceNode,
                want: tuple[str, ...]) -> str:
    lines = text.splitlines(keepends=True)
    items = node.value
    keep = set(want)
    drop_lines: set[int] = set()
    present: list[str] = []
    for item in items:
        name = item_name(kind, item, where)
        if name in keep:
            present.append(name)
        else:
            drop_lines.update(range(item.start_mark.line, item.end_mark.line + 1))
    first = items[0]
    prefix = lines[first.start_mark.line][: first.start_mark.column]
    if prefix.strip() != "-":
        return text  # not one "- name" per line: let the caller fall back to a full rewrite
    new = [f"{prefix}{_block_item(n)}\n" for n in want if n not in present]
    last = items[-1].end_mark.line
    if last < len(lines) and not lines[last].endswith("\n"):
        lines[last] += "\n"
    if not want:  # every entry removed: the key's comment and the comment lines stay, the value is []
        key_line = lines[key.end_mark.line]
        colon = key_line.find(":", key.end_mark.column)
        if colon < 0:
            return text
        lines[key.end_mark.line] = key_line[: colon + 1] + " []" + key_line[colon + 1:]
    out = []
    for i, line in enumerate(lines):
        if i not in drop_lines:
            out.append(line)
        if i == last:
            out.extend(new)
    return "".join(out)


def _atomic_write(p: Path, text: str, mode: int) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".tracked-", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _new_file_mode() -> int:
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def write_tracked(path: Path, kind: str, tracked: Tracked) -> Path:
    """Make ``path`` hold ``tracked`` by editing ``kind``'s list; see the module docstring."""
    target = Path(os.path.realpath(path))  # a symlinked tracked.yaml stays a symlink
    if not target.parent.is_dir():
        raise TrackedFileError(f"{path}: directory {target.parent} does not exist (create it first; "
                               f"nothing was written)")
    try:
        text = target.read_text(encoding="utf-8")
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        text, mode = "", _new_file_mode()
    edited = edit_text(text, path, kind, tracked) if text.strip() else full_text(tracked)
    try:
        ok = parse_tracked(edited, path) == tracked
    except TrackedFileError:
        ok = False
    _atomic_write(target, edited if ok else full_text(tracked, _header(text)), mode)
    return path


def write_tracked_remote(url: str, fs: Any, kind: str, tracked: Tracked) -> str:
    """The same edit for a tracked file in an object store: one PUT replaces the object whole, so a
    reader sees the old list or the new one, never half a file."""
    try:
        with fs.open(url, "rb") as fh:
            text = fh.read().decode("utf-8")
    except FileNotFoundError:
        text = ""
    edited = edit_text(text, url, kind, tracked) if text.strip() else full_text(tracked)
    try:
        ok = parse_tracked(edited, url) == tracked
    except TrackedFileError:
        ok = False
    fs.pipe_file(url, (edited if ok else full_text(tracked, _header(text))).encode("utf-8"))
    return url
