"""Storage of one API key's pace: its send slots and the server's last word, under one lock.

Why aggregates and not the list of sends: at hundreds of requests per second a window holds
thousands of slots; every decision needs only a few counts and one ordered time, which the database
answers from its indexes. The policy (how long to wait) is the caller's, in
:mod:`tiktok_assets.scavio.ratelimit`; this module only reads and writes consistently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, and_, bindparam, delete, func, insert, or_, select, update

from .engine import locked
from .tables import pace_key, pace_slot

# The statements of every send, built once. Why: each request takes two transactions here, and building
# a SQLAlchemy statement (coercing its clauses, then keying it for the compiled cache) cost several times
# what SQLite spends running it; with 8 senders that Python time held the GIL and the key's lock alike.
# Parameters: ``k`` the key fingerprint, ``tok`` a send's token, ``t`` a time; an UPDATE's other
# parameters name the columns it sets.
_KEY, _TOKEN, _T = bindparam("k"), bindparam("tok"), bindparam("t")
_SELECT_KEY = select(pace_key).where(pace_key.c.key_fp == _KEY)
_UPDATE_KEY = update(pace_key).where(pace_key.c.key_fp == _KEY)
_INSERT_KEY = insert(pace_key)
_INSERT_SLOT = insert(pace_slot)
_SLOT = and_(pace_slot.c.key_fp == _KEY, pace_slot.c.token == _TOKEN)
_SELECT_SENT_AT = select(pace_slot.c.sent_at).where(_SLOT)
_MARK_DONE = update(pace_slot).where(_SLOT).values(done_at=bindparam("done"))
_COUNT_SLOTS = select(func.count()).select_from(pace_slot)
_COUNT_IN_FLIGHT = _COUNT_SLOTS.where(pace_slot.c.key_fp == _KEY, pace_slot.c.done_at.is_(None))
_COUNT_DONE_SINCE = _COUNT_SLOTS.where(pace_slot.c.key_fp == _KEY, pace_slot.c.done_at > _T)
_NTH_DONE_SINCE = (select(pace_slot.c.done_at).where(pace_slot.c.key_fp == _KEY, pace_slot.c.done_at > _T)
                   .order_by(pace_slot.c.done_at).offset(bindparam("skip")).limit(1))


@dataclass(frozen=True)
class ServerAnswer:
    """What one response said about the key's limit (any field may be missing)."""

    limit: int | None
    remaining: int | None
    reset_at: float | None  # unix seconds
    reset_is_timestamp: bool = False  # Reset came as the server's unix time, not seconds from our receipt


@dataclass
class PaceView:
    """A consistent read of one key's state inside the locked transaction (lazy counts)."""

    conn: Any
    key_fp: str
    now: float
    blocked_until: float
    answered: bool
    srv_limit: int | None
    srv_remaining: int | None
    srv_reset: float | None
    srv_basis_at: float | None
    srv_sent: int = 0  # sends since the basis answer
    win_sent: int = 0  # sends since srv_reset passed
    win_of: float | None = None
    srv_reported: int | None = None  # the basis answer's Remaining as the server said it
    srv_basis_sent: float | None = None  # when the basis request was sent
    _counts: dict[Any, int] = field(default_factory=dict, repr=False)  # one query per count per view

    def sends_in_new_window(self) -> int:
        """Sends counted against the window that began at ``srv_reset``: those since it passed, or,
        before the first of them, every request still in flight (it may land in the new window)."""
        return self.win_sent if self.win_of == self.srv_reset else self.in_flight()

    def sends_before_reset(self) -> int:
        """Sends since the basis answer that left before ``srv_reset`` passed."""
        return self.srv_sent - (self.win_sent if self.win_of == self.srv_reset else 0)

    def in_flight(self) -> int:
        return self._count("in_flight", _COUNT_IN_FLIGHT, {})

    def done_since(self, t: float) -> int:
        return self._count(("done_since", t), _COUNT_DONE_SINCE, {"t": t})

    def nth_done_since(self, t: float, n: int) -> float | None:
        """The ``n``-th (1-based) oldest completion time after ``t``."""
        return self.conn.execute(_NTH_DONE_SINCE, {"k": self.key_fp, "t": t, "skip": n - 1}).scalar()

    def _count(self, name: Any, query: Any, params: dict[str, Any]) -> int:
        """A count over the key's slots, memoized: the rules ask for the same count several times, and
        every statement inside the key's lock delays every other sender of the key."""
        if name not in self._counts:
            self._counts[name] = int(self.conn.execute(query, {"k": self.key_fp, **params}).scalar() or 0)
        return self._counts[name]


# How far apart two Reset values may be and still name one server moment. A Reset sent as a unix
# time is the server's own clock, exact to its precision (milliseconds here: twice that covers rounding
# on either side). One sent as "seconds from now" is read against our receive time, which the network
# moves: there a quarter second (``PaceStore.finish``'s ``accept_tolerance``) separates windows.
TIMESTAMP_TOLERANCE = 0.002


def _server_order(answer: ServerAnswer, basis_reset: float, basis_reported: int, tolerance: float) -> int:
    """Whether the server counted ``answer`` after the basis answer (1), before it (-1), or nothing says (0).

    The notes give ``X-RateLimit-Reset`` but not the kind of window, and no kind moves it backwards as
    the server's time goes on: a fixed window keeps it until the window ends, a sliding one moves it to
    its next-oldest request. So a Reset later by more than ``tolerance`` is a later count (on a sliding
    window, one that may report more room: slots freed), an earlier one an earlier count. With the same
    Reset nothing left the window between the two, so the count only went down: the lower
    ``Remaining`` is the later word, whatever order the answers arrived in.
    """
    assert answer.reset_at is not None and answer.remaining is not None
    if answer.reset_at > basis_reset + tolerance:
        return 1
    if answer.reset_at < basis_reset - tolerance:
        return -1
    return (answer.remaining < basis_reported) - (answer.remaining > basis_reported)


def _is_newest(answer: ServerAnswer, basis_reset: float | None, basis_reported: int | None, sent_at: float,
               basis_sent: float | None, tolerance: float) -> bool:
    """Whether ``answer`` is fresher server state than the current basis (see :func:`_server_order`;
    an answer as fresh as the basis, the same Reset and Remaining, may replace it). Without a
    ``Reset``, the later-sent request wins."""
    if basis_reported is None or answer.remaining is None:
        return basis_reported is None
    if answer.reset_at is not None and basis_reset is not None:
        return _server_order(answer, basis_reset, basis_reported, tolerance) >= 0
    return basis_sent is None or sent_at >= basis_sent


def _counted_before_basis(answer: ServerAnswer, view: PaceView, sent_at: float, tolerance: float) -> bool:
    """Whether a send subtracted from the basis as "in flight" was in fact already counted elsewhere.

    When the basis answer arrived, every send still in flight was subtracted from its ``Remaining``,
    because the server may count it after the basis request. A send that left *before* that answer
    arrived and that the server counted before the basis request (:func:`_server_order`: an earlier
    Reset, or the same one with a higher ``Remaining``) is already in the basis ``Remaining``, or in an
    earlier window. Either way the subtraction was double and the slot is returned. Without this,
    reordered answers left a few slots of every window unused (more with more senders in flight: two
    runs on one key, slow answers). Only answers with ``Remaining`` and ``Reset`` qualify: a 429
    (``Remaining`` 0), a transport error or a header-less answer returns nothing, so the estimate
    stays at or below the server's true count.
    """
    if view.srv_remaining is None or view.srv_reported is None or view.srv_basis_at is None or view.srv_reset is None:
        return False
    if answer.remaining is None or answer.reset_at is None or not sent_at < view.srv_basis_at:
        return False
    return _server_order(answer, view.srv_reset, view.srv_reported, tolerance) < 0


class PaceStore:
    """Slots and server facts of API keys in the shared state database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _view(self, conn: Any, key_fp: str, now: float) -> PaceView:
        row = conn.execute(_SELECT_KEY, {"k": key_fp}).mappings().first()
        if row is None:
            conn.execute(_INSERT_KEY, {"key_fp": key_fp, "blocked_until": 0.0, "answered": False, "srv_sent": 0,
                                       "win_sent": 0})
            return PaceView(conn, key_fp, now, 0.0, False, None, None, None, None)
        return PaceView(conn, key_fp, now, float(row["blocked_until"] or 0.0), bool(row["answered"]),
                        row["srv_limit"], row["srv_remaining"], row["srv_reset"], row["srv_basis_at"],
                        int(row["srv_sent"] or 0), int(row["win_sent"] or 0), row["win_of"], row["srv_reported"],
                        row["srv_basis_sent"])

    def take(self, key_fp: str, token: int, now: Callable[[], float], decide: Callable[[PaceView], float]) -> float:
        """Under the key's lock: ``decide(view)`` -> seconds to wait; when 0, record the send."""
        with locked(self.engine, f"pace:{key_fp}") as conn:
            t = now()
            view = self._view(conn, key_fp, t)
            wait = decide(view)
            if wait <= 0:
                counters: dict[str, Any] = {"srv_sent": view.srv_sent + 1}
                if view.srv_reset is not None and t >= view.srv_reset:
                    counters.update(win_sent=view.sends_in_new_window() + 1, win_of=view.srv_reset)
                conn.execute(_INSERT_SLOT, {"key_fp": key_fp, "token": token, "sent_at": t, "done_at": None})
                conn.execute(_UPDATE_KEY, {"k": key_fp, **counters})
            return wait

    def finish(self, key_fp: str, token: int, now: Callable[[], float], answer: ServerAnswer | None,
               accept_tolerance: float = 0.25) -> None:
        """Mark the send done (re-stamped now) and take the server's answer if it is the newest word.

        An answer that is not the newest word may still return a slot: see :func:`_counted_before_basis`.
        """
        with locked(self.engine, f"pace:{key_fp}") as conn:
            t = now()
            slot = {"k": key_fp, "tok": token}
            sent_at = conn.execute(_SELECT_SENT_AT, slot).scalar()
            if sent_at is None:
                return  # pruned as stale: its answer is too old to trust
            conn.execute(_MARK_DONE, {**slot, "done": t})
            if answer is None:
                return
            view = self._view(conn, key_fp, t)
            values: dict[str, Any] = {"answered": True}
            tolerance = TIMESTAMP_TOLERANCE if answer.reset_is_timestamp else accept_tolerance
            if answer.remaining is not None and _is_newest(answer, view.srv_reset, view.srv_reported, sent_at,
                                                           view.srv_basis_sent, tolerance):
                in_flight_others = view.in_flight()
                limit = answer.limit if answer.limit is not None else view.srv_limit
                values.update(srv_limit=limit, srv_reported=answer.remaining,
                              srv_remaining=answer.remaining - in_flight_others,
                              srv_reset=answer.reset_at, srv_basis_sent=sent_at, srv_basis_at=t, srv_sent=0)
            else:
                if answer.limit is not None and view.srv_limit is None:
                    values.update(srv_limit=answer.limit)
                if _counted_before_basis(answer, view, sent_at, tolerance):
                    values.update(srv_remaining=(view.srv_remaining or 0) + 1)
            conn.execute(_UPDATE_KEY, {"k": key_fp, **values})

    def block(self, key_fp: str, until: float) -> None:
        """Every sender on the key waits until ``until`` (a 429's Retry-After)."""
        with locked(self.engine, f"pace:{key_fp}") as conn:
            view = self._view(conn, key_fp, until)
            if until > view.blocked_until:
                conn.execute(update(pace_key).where(pace_key.c.key_fp == key_fp).values(blocked_until=until))

    def cap_block(self, key_fp: str, latest: float) -> None:
        """Clamp a pause set before the wall clock stepped backwards."""
        with locked(self.engine, f"pace:{key_fp}") as conn:
            conn.execute(update(pace_key).where(pace_key.c.key_fp == key_fp, pace_key.c.blocked_until > latest)
                         .values(blocked_until=latest))

    def prune(self, key_fp: str, now: float, keep_done: float, stale_in_flight: float,
              cap_block_at: float | None = None) -> None:
        """Drop completed slots no rule can need any more, and in-flight slots of dead senders; with
        ``cap_block_at``, also clamp the pause as :meth:`cap_block` does (one transaction, not two)."""
        with locked(self.engine, f"pace:{key_fp}") as conn:
            if cap_block_at is not None:
                conn.execute(update(pace_key).where(pace_key.c.key_fp == key_fp, pace_key.c.blocked_until > cap_block_at)
                             .values(blocked_until=cap_block_at))
            row = conn.execute(select(pace_key.c.srv_basis_at, pace_key.c.srv_reset)
                               .where(pace_key.c.key_fp == key_fp)).first()
            anchors = [now - keep_done] + [v - 1.0 for v in (row or ()) if v is not None]
            horizon = max(min(anchors), now - 3600.0)
            conn.execute(delete(pace_slot).where(pace_slot.c.key_fp == key_fp, or_(
                and_(pace_slot.c.done_at.is_not(None), pace_slot.c.done_at < now - keep_done,
                     pace_slot.c.sent_at < horizon),
                and_(pace_slot.c.done_at.is_(None), pace_slot.c.sent_at < now - stale_in_flight))))
            # a stamp "from the future" (the clock stepped back) would hold the window shut
            conn.execute(delete(pace_slot).where(pace_slot.c.key_fp == key_fp, pace_slot.c.done_at > now + keep_done))

    def snapshot(self, key_fp: str, now: float) -> dict[str, Any]:
        """Counts and server facts, for diagnostics and tests."""
        with locked(self.engine, f"pace:{key_fp}") as conn:
            view = self._view(conn, key_fp, now)
            rows = conn.execute(select(pace_slot.c.token, pace_slot.c.sent_at, pace_slot.c.done_at)
                                .where(pace_slot.c.key_fp == key_fp)).all()
            return {"blocked_until": view.blocked_until, "answered": view.answered, "srv_limit": view.srv_limit,
                    "srv_remaining": view.srv_remaining, "srv_reset": view.srv_reset,
                    "done": sorted(r.done_at for r in rows if r.done_at is not None),
                    "in_flight": {r.token: r.sent_at for r in rows if r.done_at is None}}
