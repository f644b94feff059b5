"""The schema of the shared state (SQLAlchemy Core; created on first use by :mod:`.engine`).

Keys are fingerprints (sha256 prefixes), never API keys. Times are unix seconds (floats) except the
budget's UTC ``day`` strings, which are what the budget windows compare.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, Index, Integer, MetaData, String, Table

metadata = MetaData()

_ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements only INTEGER PRIMARY KEY

# The server's last word on one key's limit, and a pause every sender honours.
pace_key = Table(
    "tiktok_pace_key", metadata,
    Column("key_fp", String(64), primary_key=True),
    Column("blocked_until", Float, nullable=False, default=0.0),
    Column("answered", Boolean, nullable=False, default=False),  # any answer yet (headers or not)
    Column("srv_limit", Integer),  # X-RateLimit-Limit
    Column("srv_reported", Integer),  # X-RateLimit-Remaining of the basis answer, as the server said it
    Column("srv_remaining", Integer),  # ... minus what was in flight when it arrived
    Column("srv_reset", Float),  # X-RateLimit-Reset as unix seconds
    Column("srv_basis_sent", Float),  # send time of the request whose answer set srv_remaining
    Column("srv_basis_at", Float),  # when that answer arrived
    Column("srv_sent", Integer, nullable=False, default=0),  # sends since that answer
    Column("win_sent", Integer, nullable=False, default=0),  # sends since srv_reset passed (a new window)
    Column("win_of", Float),  # the srv_reset that win_sent counts from
)

# One row per send: in flight while done_at is NULL.
pace_slot = Table(
    "tiktok_pace_slot", metadata,
    Column("key_fp", String(64), primary_key=True),
    Column("token", BigInteger, primary_key=True, autoincrement=False),
    Column("sent_at", Float, nullable=False),
    Column("done_at", Float),
)
Index("ix_tiktok_pace_slot_done", pace_slot.c.key_fp, pace_slot.c.done_at)
Index("ix_tiktok_pace_slot_sent", pace_slot.c.key_fp, pace_slot.c.sent_at)

# Budget: open reservations + settled credits per (key, run, UTC day).
budget_spend = Table(
    "tiktok_budget_spend", metadata,
    Column("key_fp", String(64), primary_key=True),
    Column("run_id", String(128), primary_key=True),
    Column("day", String(10), primary_key=True),
    Column("credits", Integer, nullable=False),
    Column("updated_at", String(40), nullable=False),
)

# The request ledger, written per request; ``export_batch``/``exported`` track its copy in the lake.
ledger = Table(
    "tiktok_ledger", metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("key_fp", String(64)),
    Column("run_id", String(128)),
    Column("endpoint", String(200), nullable=False),
    Column("params_hash", String(32), nullable=False),
    Column("http_status", Integer, nullable=False),
    Column("credits_used", Integer, nullable=False),
    Column("credits_remaining", BigInteger),
    Column("latency_ms", Float),
    Column("requested_at", Float, nullable=False),
    Column("asset", String(100)),
    Column("partition", String(100)),
    Column("entity", String(1000)),
    Column("export_batch", String(32)),
    Column("exported", Boolean, nullable=False, default=False),
)
Index("ix_tiktok_ledger_exported", ledger.c.exported)
Index("ix_tiktok_ledger_requested_at", ledger.c.requested_at)

# Short exclusive jobs across hosts (the ledger export): who holds it, until when (a dead holder expires).
lease = Table(
    "tiktok_lease", metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
)
