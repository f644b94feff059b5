"""State shared by every run of one deployment, behind one SQLAlchemy URL (``TIKTOK_STATE_URL``).

Why a database and not files: in production each run is its own pod; no disk, file lock or SQLite
file is shared between them. The per-key pace, the budget reservations and the per-request ledger
must live where every run sees them. One implementation over SQLAlchemy Core serves both backends:
SQLite under ``TIKTOK_STATE_DIR`` by default (one machine), PostgreSQL in production.

Modules, one job each: ``engine`` (URL, engine per process, the locked transaction), ``tables``
(the schema), ``pace`` (per-key slots and the server's last word), ``spend`` (budget
reservations), ``ledger`` (one row per request, exported to the lake's ``credit_ledger``).
"""
