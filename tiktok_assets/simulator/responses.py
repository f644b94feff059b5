"""Turning one API request into status, headers and bytes: auth, pace, faults, credits, envelope.

Why separate from the socket code: this is the platform's *policy* (what costs a credit, which error
wins), documented in the package docstring; the server module only moves bytes.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from .endpoints import ApiError

if TYPE_CHECKING:
    from .control import Window
    from .server import Response, SimulatorServer

CODES = {400: "bad_request", 401: "unauthorized", 402: "insufficient_credits", 403: "forbidden", 404: "not_found",
         429: "rate_limit_exceeded", 500: "internal_error", 502: "bad_gateway", 503: "service_unavailable",
         504: "gateway_timeout"}
NOT_JSON = b"<html><head><title>Bad Gateway</title></head><body><h1>upstream returned garbage</h1></body></html>"


def _dumps(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> Response:
    return status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, _dumps(obj)


# Encoding pages dominates the cost of a request. Items with the same natural id are always the same
# object (or a deterministic regeneration of it), so each item's JSON is computed once per server.
LIST_KEYS = {"aweme_list": "aweme_id", "comments": "cid", "user_list": None, "followers": "uid", "followings": "uid"}
_FRAGMENT_LIMIT = 200_000


def _item_json(cache: dict[tuple[str, str], str], list_key: str, item: dict[str, Any]) -> str:
    id_key = LIST_KEYS[list_key]
    natural = item["user_info"]["uid"] if id_key is None else item[id_key]
    frag = cache.get((list_key, natural))
    if frag is None:
        frag = json.dumps(item, ensure_ascii=False, separators=(",", ":"))
        if len(cache) >= _FRAGMENT_LIMIT:
            cache.clear()
        cache[(list_key, natural)] = frag
    return frag


def success_body(cache: dict[tuple[str, str], str], envelope: dict[str, Any]) -> bytes:
    """``_dumps(envelope)`` with the page's items spliced in from the fragment cache."""
    data = envelope["data"]
    list_key = next((k for k in LIST_KEYS if k in data), None)
    if list_key is None:
        return _dumps(envelope)
    rest = _dumps({**envelope, "data": {k: v for k, v in data.items() if k != list_key}})
    items = ",".join(_item_json(cache, list_key, it) for it in data[list_key]).encode("utf-8")
    head, sep, tail = rest.partition(b'"data":{')
    joiner = b"" if tail.startswith(b"}") else b","
    return head + sep + b'"' + list_key.encode() + b'":[' + items + b"]" + joiner + tail


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response(status, {"error": {"code": code, "message": message}}, headers)


def _rate_limited(sim: SimulatorServer, window: Window, now: float, retry_after: Any = "config") -> Response:
    wait = max(1, math.ceil(window.reset - now))
    headers = window.headers()
    if retry_after == "config":
        mode = sim.config.retry_after
        if mode == "seconds":
            headers["Retry-After"] = str(wait)
        elif mode == "http-date":
            headers["Retry-After"] = formatdate(math.ceil(window.reset), usegmt=True)
    elif retry_after is not None:
        headers["Retry-After"] = str(retry_after)
        if not isinstance(retry_after, str):
            wait = max(1, math.ceil(float(retry_after)))
    return error(429, "rate_limit_exceeded", f"Rate limit exceeded. Retry after {wait} seconds.", headers)


def _fault(sim: SimulatorServer, fault: dict[str, Any], window: Window, now: float, t0: float) -> Response:
    """Answer an injected fault; the caller records it. Faults never cost a credit."""
    from .control import Window as W
    if fault.get("status") == 429:
        if fault.get("random"):  # a transient 429: the window "resets" a second from now
            return _rate_limited(sim, W(window.limit, 0, now + 1.0), now)
        if "reset_in" in fault or "retry_after" in fault:
            retry_after = fault.get("retry_after")
            reset_in = fault.get("reset_in", retry_after if isinstance(retry_after, (int, float)) else 1)
            window = W(window.limit, 0, now + float(reset_in))
            return _rate_limited(sim, window, now, retry_after)
        return _rate_limited(sim, W(window.limit, 0, window.reset), now)
    if "status" in fault:
        status = int(fault["status"])
        return error(status, CODES.get(status, "error"), fault.get("message", f"Simulated HTTP {status}"), window.headers())
    kind = fault["malformed"]
    if kind == "not_json":
        return 200, {"Content-Type": "text/html", **window.headers()}, NOT_JSON
    if kind == "truncated":
        return 200, {"Content-Type": "application/json", **window.headers()}, b'{"data":{"aweme_list":[{"aweme_id":"7'
    return json_response(200, {"credits_used": 0, "credits_remaining": sim.credits.balance,
                                "response_time": _ms(t0)}, window.headers())


def _ms(t0: float) -> int:
    return int((time.perf_counter() - t0) * 1000)


def api_request(sim: SimulatorServer, path: str, route: Callable[[dict[str, Any]], dict[str, Any]],
                authorization: str | None, body: bytes) -> Response:
    t0, now = time.perf_counter(), time.time()
    try:
        params = json.loads(body) if body.strip() else {}
        parse_error = None if isinstance(params, dict) else "request body must be a JSON object"
    except ValueError:
        params, parse_error = {}, "request body is not valid JSON"
    if not isinstance(params, dict):
        params = {}
    ok_key, fp = sim._check_key(authorization)
    response, charged = _answer(sim, path, route, params, parse_error, ok_key, fp, t0, now)
    sim._stats.record(path, fp, response[0] if response else 0, params, charged, arrived=now)
    return response


def _answer(sim: SimulatorServer, path: str, route: Callable[[dict[str, Any]], dict[str, Any]],
            params: dict[str, Any], parse_error: str | None, ok_key: bool, fp: str, t0: float,
            now: float) -> tuple[Response, bool]:
    if not ok_key:
        return error(401, "unauthorized", "Missing or invalid API key (send 'Authorization: Bearer <key>')",
                     sim.limiter.peek(fp, now).headers()), False
    scripted = sim.faults.next_scripted()
    if scripted is not None:
        if scripted.get("delay_ms"):
            time.sleep(float(scripted["delay_ms"]) / 1000)
        if scripted.get("disconnect"):
            return None, False
        if "status" in scripted or "malformed" in scripted:
            return _fault(sim, scripted, sim.limiter.peek(fp, now), now, t0), False
    admitted, window = sim.limiter.admit(fp, now)
    if not admitted:
        return _rate_limited(sim, window, now), False
    sim._latency()
    random_fault = sim.faults.next_random()
    if random_fault is not None:
        return _fault(sim, random_fault, window, now, t0), False
    if parse_error:
        return error(400, "bad_request", parse_error, window.headers()), False
    if not sim.credits.reserve():
        return error(402, "insufficient_credits", "Insufficient credits: balance is 0. Top up your plan or wait "
                     "for the next billing cycle.", window.headers()), False
    try:
        data = route(params)
    except ApiError as exc:
        sim.credits.refund()
        return error(exc.status, exc.code, exc.message, window.headers()), False
    except Exception as exc:  # a simulator bug must look like a platform 500, not kill the thread
        sim.credits.refund()
        return error(500, "internal_error", f"simulator error: {type(exc).__name__}", window.headers()), False
    body = {"data": data, "credits_used": 1, "credits_remaining": sim.credits.balance, "response_time": _ms(t0)}
    payload = success_body(sim._fragments, body)
    return (200, {"Content-Type": "application/json; charset=utf-8", **window.headers()}, payload), True
