"""The Dagster resource that hands every asset of a run the same :class:`ScavioClient`.

Why one cached client per resource instance: Dagster builds the resource once per run (in-process
executor) and passes it to every asset, so caching the client here gives all assets of the run one
ledger, one budget guard, one connection pool and one view of the key's pace (shared with every
other host through ``TIKTOK_STATE_URL``, see :mod:`tiktok_assets.state`). A later run gets a
fresh resource copy and therefore a fresh client. The key is a masked field: it never shows in the
resource's repr, the UI's config view (when given as ``EnvVar``) or any log line.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any, Optional

from dagster import ConfigurableResource, Failure, InitResourceContext
from pydantic import Field, PrivateAttr

from .. import settings
from .client import ScavioClient
from .envconfig import settings_from_env
from .guard import CreditLimit

class ScavioResource(ConfigurableResource):
    """Scavio TikTok API access. Wire the key as ``api_key=EnvVar("SCAVIO_API_KEY")``."""

    api_key: str = Field(repr=False, description="Scavio API key (use EnvVar('SCAVIO_API_KEY')); never logged.")
    base_url: str = Field(default=settings.DEFAULT_BASE_URL, description="API root; point at the simulator in tests.")
    timeout: float = Field(default=30.0, description="Seconds per HTTP request.")
    max_retries: int = Field(default=5, description="Retries of a 429 / 5xx / timeout before giving up.")
    max_concurrency: int = Field(default=4, description="Concurrent entity streams (threads, pooled connections).")
    rate_limit: Optional[int] = Field(
        default=None, description="A ceiling of requests per window for this key, shared by every host of the "
        "deployment; unset = follow the server's X-RateLimit-* headers alone.")
    rate_window_seconds: float = Field(default=settings.DEFAULT_RATE_WINDOW_SECONDS,
                                       description="The window of rate_limit.")
    credit_cap_per_run: Optional[int] = Field(default=None, description="Hard cap of credits one run may spend.")
    state_dir: Optional[str] = Field(default=None, description="Where the default SQLite state lives when "
                                     "TIKTOK_STATE_URL is unset; default settings.state_dir().")

    _client: Optional[ScavioClient] = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def __str__(self) -> str:
        return repr(self)

    @classmethod
    def from_env(cls, **overrides: Any) -> ScavioResource:
        """Build from SCAVIO_* / TIKTOK_CREDIT_CAP_PER_RUN / TIKTOK_STATE_DIR (CLI, benchmarks)."""
        return cls(**settings_from_env(**overrides))

    def get_client(self, run_id: str | None = None, extra_limits: Iterable[CreditLimit] = ()) -> ScavioClient:
        """The client of this resource instance (created on first use; one per run).

        ``extra_limits`` (e.g. the shared daily/monthly budget) are added to the cached client if it
        does not hold them yet. A different ``run_id`` than the cached client's starts a new client.
        """
        if not self.api_key.strip():  # an EnvVar set to "": Dagster resolves it; every request would be a 401
            raise Failure(description=f"{settings.SCAVIO_API_KEY} is empty; set it to your Scavio API key",
                          allow_retries=False)
        with self._lock:
            client = self._client
            if client is None or (run_id is not None and client.run_id not in (None, run_id)):
                client = ScavioClient(
                    self.api_key, base_url=self.base_url, timeout=self.timeout, max_retries=self.max_retries,
                    max_concurrency=self.max_concurrency, rate_limit=self.rate_limit,
                    rate_window_seconds=self.rate_window_seconds, credit_cap_per_run=self.credit_cap_per_run,
                    state_dir=self.state_dir, run_id=run_id, extra_limits=extra_limits,
                )
                self._client = client
            else:
                if client.run_id is None and run_id is not None:
                    client.run_id = run_id
                    client._ledger.run_id = run_id  # noqa: SLF001 - the ledger belongs to the client
                for limit in extra_limits:
                    client.add_limit(limit)
            return client

    def teardown_after_execution(self, context: InitResourceContext) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
