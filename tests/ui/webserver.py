"""A real Dagster webserver (or ``make dev``) in its own process group, queried over GraphQL.

Why a process group: ``dagster dev`` starts a daemon, a code server and run workers; killing the
group stops them all (a plain kill leaves orphans that keep ports and SQLite files busy).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
REPO = '{repositoryLocationName: "tiktok_assets", repositoryName: "__repository__"}'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gql(port: int, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


class Server:
    """``Server(cmd, env, cwd).start()``; ``wait_for(fn)`` polls GraphQL; ``stop()`` kills the group."""

    def __init__(self, cmd: list[str], env: dict[str, str] | None, cwd: Path, port: int, log: Path) -> None:
        self.cmd, self.env, self.cwd, self.port, self.log_path = cmd, env, cwd, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Server:
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(self.cmd, cwd=self.cwd, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, probe: Callable[[int], Any], timeout: float = 150) -> Any:
        """Poll ``probe(port)`` until it returns something truthy; fail with the server's log tail."""
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, f"server exited:\n{self.log()[-3000:]}"
            try:
                value = probe(self.port)
                if value:
                    return value
            except (OSError, urllib.error.URLError, KeyError, TypeError) as exc:
                last = exc
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting on the webserver ({last!r}):\n{self.log()[-3000:]}")

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


def asset_keys(port: int) -> set[str]:
    nodes = gql(port, "{ assetNodes { assetKey { path } } }")["data"]["assetNodes"]
    return {"/".join(n["assetKey"]["path"]) for n in nodes}


def location_status(port: int) -> dict[str, Any] | None:
    """The code location's load outcome: {"loaded": True} or {"error": message}; None while loading."""
    q = """{ workspaceOrError { ... on Workspace { locationEntries { name loadStatus
             locationOrLoadError { __typename ... on PythonError { message causes { message } } } } } } }"""
    entries = gql(port, q)["data"]["workspaceOrError"]["locationEntries"]
    entry = next(e for e in entries if e["name"] == "tiktok_assets")
    if entry["loadStatus"] != "LOADED":
        return None
    outcome = entry["locationOrLoadError"]
    if outcome and outcome["__typename"] == "PythonError":  # the user's message is in the cause chain
        return {"error": "\n".join([outcome["message"], *(c["message"] for c in outcome.get("causes") or [])])}
    return {"loaded": True}
