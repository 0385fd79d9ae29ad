"""The one error hierarchy of provider-runtime.

    ProviderRuntimeError        (the plan's RuntimeError; renamed so the builtin is not shadowed)
    ├── ConfigError             bad config file, missing credential, failing key command
    ├── RoutingError            unknown model/provider, ambiguous bare model id
    └── ProviderError           the provider (or the way to it) failed; carries an ErrorKind

Only the server layer turns these into JSON-RPC errors (``server/errors.py`` holds the codes).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .types import RateLimit

__all__ = [
    "ConfigError",
    "ErrorKind",
    "ProviderError",
    "ProviderRuntimeError",
    "RoutingError",
]


class ErrorKind(StrEnum):
    CONFIG = "config"
    ROUTING = "routing"
    AUTHENTICATION = "authentication"
    PERMISSION = "permission"
    PAYMENT_REQUIRED = "payment_required"
    RATE_LIMITED = "rate_limited"
    INVALID_REQUEST = "invalid_request"
    REQUEST_TOO_LARGE = "request_too_large"
    CONTEXT_LENGTH_EXCEEDED = "context_length_exceeded"
    NOT_FOUND = "not_found"
    CONTENT_FILTER = "content_filter"
    SERVER = "server"
    OVERLOADED = "overloaded"
    TIMEOUT = "timeout"
    TRANSPORT = "transport"
    PROTOCOL = "protocol"
    CANCELLED = "cancelled"
    INTERNAL = "internal"


class ProviderRuntimeError(Exception):
    """Base of every error the runtime raises on purpose."""

    kind: ErrorKind = ErrorKind.INTERNAL
    retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigError(ProviderRuntimeError):
    """The configuration is unusable: names the file, key and problem where known."""

    kind = ErrorKind.CONFIG

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        where = ", ".join(x for x in (path, f"key `{key}`" if key else None) if x)
        super().__init__(f"{where}: {message}" if where else message)
        self.problem = message  # without the file and key
        self.path = path
        self.key = key


class RoutingError(ProviderRuntimeError):
    """The model could not be routed; ``candidates`` lists providers offering it, if several."""

    kind = ErrorKind.ROUTING

    def __init__(self, message: str, *, candidates: list[str] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


_RETRYABLE_KINDS = frozenset(
    {
        ErrorKind.RATE_LIMITED,
        ErrorKind.SERVER,
        ErrorKind.OVERLOADED,
        ErrorKind.TIMEOUT,
        ErrorKind.TRANSPORT,
    }
)


class ProviderError(ProviderRuntimeError):
    """A provider call failed. ``retry_after`` is in seconds when the provider said so;
    ``rate_limit`` is the snapshot the failed answer's headers gave, when they gave one."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        provider: str | None = None,
        status: int | None = None,
        provider_code: str | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
        retryable: bool | None = None,
        rate_limit: RateLimit | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.rate_limit = rate_limit
        self.provider = provider
        self.status = status
        self.provider_code = provider_code
        self.request_id = request_id
        self.retry_after = retry_after
        self.retryable = kind in _RETRYABLE_KINDS if retryable is None else retryable

    def __str__(self) -> str:
        head = f"{self.provider}: " if self.provider else ""
        status = f" (HTTP {self.status})" if self.status is not None else ""
        return f"{head}{self.kind.value}{status}: {self.message}"

    def __repr__(self) -> str:
        return (
            f"ProviderError(kind={self.kind.value!r}, provider={self.provider!r}, "
            f"status={self.status!r}, message={self.message!r})"
        )
