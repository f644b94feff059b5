"""Exceptions raised by the Scavio client.

Why a hierarchy: callers decide per class. A 404 is an outcome for one entity (record it, carry on);
a 401 or 402 stops the whole run's spending; a 400 is a bug in our request. Every message names the
endpoint and carries the API's own ``code`` and ``message``; none ever contains the API key.
"""

from __future__ import annotations


class ScavioError(Exception):
    """Base class: an API call failed. ``endpoint`` is the path, e.g. ``/api/v1/tiktok/profile``."""

    def __init__(self, endpoint: str, message: str, *, status: int | None = None, code: str | None = None) -> None:
        self.endpoint = endpoint
        self.status = status
        self.code = code
        self.api_message = message
        prefix = f"Scavio {endpoint}"
        if status is not None:
            prefix += f" returned HTTP {status}"
        if code:
            prefix += f" ({code})"
        super().__init__(f"{prefix}: {message}")


class BadRequestError(ScavioError):
    """HTTP 400: the API rejected our parameters. Never retried."""


class AuthError(ScavioError):
    """HTTP 401/403: the key is missing or rejected. Never retried, stops the run."""


class InsufficientCreditsError(ScavioError):
    """HTTP 402 ``insufficient_credits``: the account balance is exhausted. Stops all further spending."""


class EntityNotFoundError(ScavioError):
    """HTTP 404: a deleted, private or unknown entity. An outcome for that entity, not a run failure."""


class RateLimitedError(ScavioError):
    """HTTP 429 that persisted past ``max_retries``."""


class ServerError(ScavioError):
    """HTTP 5xx, timeout or connection reset that persisted past ``max_retries``."""


class MalformedResponseError(ScavioError):
    """A body that is not JSON, or JSON without ``data``."""


class BudgetExceededError(Exception):
    """The client-side budget guard refused to send a request; no credit was spent on it."""

    def __init__(self, message: str, *, limit_name: str = "run cap", spent: int = 0, limit: int = 0) -> None:
        self.limit_name = limit_name
        self.spent = spent
        self.limit = limit
        super().__init__(message)


class RunInterruptedError(Exception):
    """The run was interrupted (Ctrl-C, SIGTERM, a Dagster termination) while a request waited; it was not sent."""


# Why a group: these stop a run for a reason outside the code (the key, the account's balance, a
# budget, a stop request), and their message says it all. A step failing on one of them names it in
# one line; chaining the client's traceback to it only buries that line (180 lines for a wrong key).
# Anything else that stops a run is unexpected, and keeps its traceback.
RUN_STOPPING_ERRORS: tuple[type[Exception], ...] = (AuthError, InsufficientCreditsError, BudgetExceededError,
                                                    RunInterruptedError)
