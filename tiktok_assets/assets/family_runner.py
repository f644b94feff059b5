"""Run the selected assets of one family concurrently, one thread each, in dependency order.

Why: one Dagster step per asset ran the assets one after another, each with an idle tail while its
last streams finished plus Dagster's per-step overhead. Here every selected asset starts as soon as
its selected upstream assets of the same family have committed their data; an upstream that is
not selected is not waited for (the body reads the lake, as before). The requests of all threads
share the client's ``max_concurrency`` slots (``scavio/requester.py``).

Why a queue: Dagster's context belongs to the step's thread. The threads put their events (and the
``add_asset_metadata`` calls, as ``deliver``-ed functions) on a queue; the step's thread yields and
performs them, in the order each thread produced them. A dependent starts as soon as its upstream
has committed its data (the body yields :data:`DEPENDENTS_MAY_START`), but queues nothing before the
upstream's body has ended, so outputs reach Dagster in topological order: a downstream
materialization is never recorded before its upstream's.

After its body, an asset's thread evaluates the asset's table checks (``after``): its dependents have
started by then, so the checks' lake reads overlap their requests instead of following the last one.

Failures: a body's exception (a ``dagster.Failure`` for a 402 or a lake write error) ends that asset;
its dependents in this run do not start (if it failed after its data commit, in its own reporting,
they have started and run on), the others finish and their results are yielded, and then the step
raises the first exception. Interrupting the step (Ctrl-C, Dagster's termination) stops the
client's requests (``interrupt``) so the threads end soon, and waits (boundedly) for them to end, so
each one's ``finally`` (the ledger export) completes before the process may exit.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

# one queue message: ("event", name, event) | ("call", name, fn(context)) | ("end", name, None) after the last thread
Message = tuple[str, str, Any]


class DependentsMayStart:
    """The type of :data:`DEPENDENTS_MAY_START`."""

    def __repr__(self) -> str:
        return "DEPENDENTS_MAY_START"


# Yielded by a body once everything its dependents read is committed (``AssetRun.finish``, right after
# the data's Delta commit): they start then, while the body still records its status and counts its
# partitions (0.3-0.4 s an asset, measured latency-bound 2026-12-03). Never reaches Dagster.
DEPENDENTS_MAY_START = DependentsMayStart()

# How long an interrupted step waits for its threads after ``interrupt()``. They are daemon threads: the
# process (the CLI after Ctrl-C, a run worker told to terminate) may exit right after the step, and a
# thread still in its ``finally`` then dies with its ledger export unwritten (seen 1 run in 6 on
# 2026-12-03). Woken requests end a thread within ~0.1 s and its export takes ~0.3 s; an export that
# hangs (an unreachable store) costs this bound, and its rows stay in the shared state for the next run.
INTERRUPT_GRACE_SECONDS = 5.0


def run_concurrently(names: Sequence[str], upstream: Mapping[str, Sequence[str]],
                     body: Callable[[str, Callable[[Callable[[Any], None]], None]], Iterator[Any]],
                     perform: Callable[[Callable[[Any], None]], None],
                     interrupt: Callable[[], None] = lambda: None,
                     note: Callable[[str], None] = lambda _line: None,
                     after: Callable[[str], Iterator[Any]] = lambda _name: iter(()),
                     grace: float = INTERRUPT_GRACE_SECONDS) -> Iterator[Any]:
    """Yield the events of ``body(name, deliver)`` for every name, each body in its own thread.

    ``upstream[name]``: the names it waits for (only those in ``names`` count). ``deliver(fn)`` from a
    body queues ``fn``; this generator calls ``perform(fn)`` on its own thread when it gets there.
    ``after(name)``: events produced in the same thread once the body has succeeded and its dependents
    have started (the asset's table checks), so they delay no request.
    Raises the first body (or ``after``) exception once every runnable asset has ended; ``note`` gets
    one line per failed asset and per asset not started because of it (from the threads: a logger's call).
    A failing ``after`` does not block the dependents: the asset itself committed.
    Interrupted, it calls ``interrupt`` and waits up to ``grace`` seconds for the threads to end.
    """
    waits = {n: [u for u in upstream.get(n, ()) if u in names and u != n] for n in names}
    messages: queue.Queue[Message] = queue.Queue()
    lock = threading.Lock()  # guards the scheduling state below, changed by the threads as they end
    # ready: its dependents may start (committed, or ended); blocked: failed before that, or an upstream did
    pending, running, ready, blocked = list(names), set(), set(), set()
    # set once a body has ended: all its events are queued (its dependents' events wait for it)
    body_ended = {n: threading.Event() for n in names}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        def put(message: Message) -> None:
            # An upstream's events reach Dagster before its dependents' (outputs in topological order),
            # also when a dependent started at DEPENDENTS_MAY_START, before its upstream had ended.
            for u in waits[name]:
                body_ended[u].wait()
            messages.put(message)

        deliver = lambda fn: put(("call", name, fn))  # noqa: E731 - the body's only door out
        error: BaseException | None = None
        released = False
        try:
            for event in body(name, deliver):
                if event is DEPENDENTS_MAY_START:
                    with lock:
                        released = True
                        ready.add(name)
                        start_ready()
                else:
                    put(("event", name, event))
        except BaseException as exc:  # noqa: BLE001 - handed to the step's thread, raised there
            error = exc
        # Dependents start now (if not yet), not when the step's thread has caught up with this asset's
        # events (Dagster stores each one, ~20 ms): those are queued already, so they still come first.
        # A failure after DEPENDENTS_MAY_START fails the step but no longer stops the dependents: they
        # read data that was committed.
        with lock:
            if error is None:
                ready.add(name)
            else:
                errors.append(error)
                if not released:
                    blocked.add(name)
                note(f"{name} failed: {getattr(error, 'description', None) or error}")
            start_ready()
        body_ended[name].set()
        if error is None:
            try:
                for event in after(name):
                    put(("event", name, event))
            except BaseException as exc:  # noqa: BLE001 - as above; the dependents run on
                with lock:
                    errors.append(exc)
                note(f"{name}: its checks failed: {exc}")
        with lock:
            running.discard(name)
            last = not running
        if last:
            messages.put(("end", name, None))

    def start_ready() -> None:  # called with ``lock`` held
        changed = True
        while changed:  # to a fixpoint: a blocked asset blocks its own dependents, in any list order
            changed = False
            for name in list(pending):
                if any(u in blocked for u in waits[name]):
                    pending.remove(name)
                    blocked.add(name)
                    changed = True
                    note(f"{name} not started: its upstream {', '.join(u for u in waits[name] if u in blocked)} failed")
                elif all(u in ready for u in waits[name]):
                    pending.remove(name)
                    running.add(name)
                    threading.Thread(target=worker, args=(name,), name=f"asset-{name}", daemon=True).start()

    with lock:
        start_ready()
        nothing = not running
    try:
        while not nothing:
            kind, _name, payload = messages.get()
            if kind == "event":
                yield payload
            elif kind == "call":
                perform(payload)
            else:  # "end": the last thread ended, after queueing everything it had
                break
    except BaseException:  # interrupted (or the consumer stopped): stop the requests, then let the threads end
        interrupt()
        _let_threads_end(messages, grace)
        raise
    if errors:
        raise errors[0]


def _let_threads_end(messages: queue.Queue[Message], grace: float) -> None:
    """Drop queued messages until the last thread says it ended, for at most ``grace`` seconds.

    Its events are dropped: the step is failing, and Dagster's context is no longer ours to record in."""
    deadline = time.monotonic() + grace
    while (left := deadline - time.monotonic()) > 0:
        try:
            kind, _name, _payload = messages.get(timeout=left)
        except queue.Empty:
            return
        if kind == "end":
            return
