"""The HTTP face of the simulator: a threaded HTTP/1.1 keep-alive server on loopback.

Why the standard library's ThreadingHTTPServer: no extra dependency, real sockets, real keep-alive.
Each response goes out in a single write with TCP_NODELAY (headers and body separately would stall on
Nagle + delayed ACK and cap a connection near 25 req/s). The order of checks for an API request is:
404 unknown path -> 401 key -> scripted fault -> 429 rate limit -> latency -> random fault ->
400 unparseable body -> 402 no credits -> 400 validation / 404 entity -> 200 (1 credit).
"""

from __future__ import annotations

import hmac
import json
import random
import socket
import threading
import time
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from . import responses
from .config import SimulatorConfig
from .control import Credits, Faults, Stats, make_rate_limiter
from .endpoints import Endpoints
from .universe import Universe

Response = tuple[int, dict[str, str], bytes] | None  # None: drop the connection without answering


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ScavioSimulator/1.0"
    timeout = 120  # idle keep-alive connections end eventually
    sim: SimulatorServer

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sim._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.sim._track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: and never any header (the key)
        return None

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.sim.handle(method, self.path.split("?", 1)[0], self.headers.get("Authorization"), body)
        if response is None:
            self.close_connection = True
            return
        status, headers, payload = response
        head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", f"Server: {self.server_version}",
                f"Date: {formatdate(usegmt=True)}", f"Content-Length: {len(payload)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_GET(self) -> None:
        self._dispatch("GET")


class SimulatorServer:
    """A running simulator: ``with SimulatorServer(cfg) as sim: httpx.post(sim.url + ...)``."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.universe = Universe.from_config(config)
        self.endpoints = Endpoints(self.universe)
        self.credits = Credits(config.initial_credits)
        self.limiter = make_rate_limiter(config.rate_window_kind, config.rate_limit, config.rate_window,
                                         config.announced_rate_limit)
        self.faults = Faults(config.seed, config.rate_429, config.rate_502, config.malformed_rate)
        self._stats = Stats()
        self._fragments: dict[tuple[str, str], str] = {}  # JSON of served items by natural id
        self._latency_rng = random.Random(f"{config.seed}:latency")
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._conns: set[socket.socket] = set()
        self._conns_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SimulatorServer(url={self.url if self._httpd else None!r}, seed={self.config.seed})"

    # --- lifecycle ------------------------------------------------------------------------------
    def start(self) -> "SimulatorServer":
        if self._httpd is not None:
            return self
        handler = type("Handler", (_Handler,), {"sim": self})
        self._httpd = _HTTPServer((self.config.host, self.config.port), handler)
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="scavio-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._conns_lock:
            for conn in list(self._conns):
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._httpd = None

    def __enter__(self) -> "SimulatorServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _track(self, conn: socket.socket, opened: bool) -> None:
        with self._conns_lock:
            (self._conns.add if opened else self._conns.discard)(conn)

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("SimulatorServer is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # --- control --------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        return self._stats.snapshot(self.credits.balance)

    def reset_stats(self) -> None:
        self._stats.reset()

    @property
    def request_log(self) -> list[tuple[float, str, int, dict[str, Any]]]:
        """(arrival time in unix seconds, endpoint path, status, JSON body) of every API request, in arrival
        order (the log is appended as answers complete, which under latency is another order)."""
        return sorted(self._stats.log, key=lambda entry: entry[0])

    def enqueue_faults(self, faults: list[dict[str, Any]]) -> None:
        self.faults.enqueue(faults)

    def set_credits(self, balance: int) -> None:
        self.credits.set(balance)

    def travel(self, now: float) -> Universe:
        """Serve the universe as observed at ``now`` (unix seconds, >= ``config.now``, the anchor) from the
        next request on: followers grow, future posts appear, stats grow (see ``simulator.evolution``).
        ``travel(config.now)`` restores the original answers. Stats, credits and rate windows are kept.
        Call it between requests: a request already being answered may still see the previous time."""
        universe = self.universe.at(now)
        self._fragments = {}  # cached item JSON holds the old statistics
        self.universe = self.endpoints.u = universe
        return universe

    def reset(self, credits: int | None = None) -> None:
        """Stats, request log, fault queue and rate windows back to empty; balance to ``credits`` or initial."""
        self._stats.reset()
        self.faults.clear()
        self.limiter.reset()
        self.credits.set(self.config.initial_credits if credits is None else credits)

    # --- requests -------------------------------------------------------------------------------
    def handle(self, method: str, path: str, authorization: str | None, body: bytes) -> Response:
        if path.startswith("/_admin/"):
            return self._admin(method, path, body)
        route = self.endpoints.routes.get(path)
        if route is None:
            return responses.error(404, "not_found", f"unknown endpoint {method} {path[:100]}")
        if method != "POST":
            return responses.error(405, "method_not_allowed", f"{path} accepts POST only")
        return responses.api_request(self, path, route, authorization, body)

    def _check_key(self, authorization: str | None) -> tuple[bool, str]:
        from .ids import fingerprint
        if not authorization or not authorization.startswith("Bearer "):
            return False, "-"
        key = authorization[7:].strip()
        return hmac.compare_digest(key.encode(), self.config.api_key.encode()), fingerprint(key)

    def _latency(self) -> None:
        cfg = self.config
        if cfg.latency_ms or cfg.latency_jitter_ms:
            time.sleep((cfg.latency_ms + self._latency_rng.uniform(0, cfg.latency_jitter_ms)) / 1000)

    def _admin(self, method: str, path: str, body: bytes) -> Response:
        try:
            payload = json.loads(body) if body.strip() else None
        except ValueError:
            return responses.error(400, "bad_request", "admin body is not valid JSON")
        if (method, path) == ("GET", "/_admin/stats"):
            snap = self.stats()
            snap["status"] = {str(k): v for k, v in snap["status"].items()}
            snap["faults_pending"] = self.faults.pending()
            return responses.json_response(200, snap)
        if (method, path) == ("POST", "/_admin/reset"):
            credits = payload.get("credits") if isinstance(payload, dict) else None
            self.reset(credits)
            return responses.json_response(200, {"ok": True, "credits_remaining": self.credits.balance})
        if (method, path) == ("POST", "/_admin/faults"):
            try:
                self.enqueue_faults(payload if isinstance(payload, list) else [payload])
            except ValueError as exc:
                return responses.error(400, "bad_request", str(exc))
            return responses.json_response(200, {"ok": True, "faults_pending": self.faults.pending()})
        if (method, path) == ("POST", "/_admin/travel"):
            now = payload.get("now") if isinstance(payload, dict) else None
            if isinstance(now, bool) or not isinstance(now, (int, float)) or now < self.universe.anchor:
                return responses.error(400, "bad_request", "admin travel needs 'now': unix seconds >= the anchor "
                                       f"{self.universe.anchor}, got {str(now)[:40]!r}")
            universe = self.travel(now)
            return responses.json_response(200, {"ok": True, "now": universe.now, "anchor": universe.anchor})
        return responses.error(404, "not_found", f"unknown admin endpoint {method} {path[:100]}")
