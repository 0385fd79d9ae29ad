"""The one error hierarchy of provider-runtime, and each kind's fixed JSON-RPC error code.

    ProviderRuntimeError        (the plan's RuntimeError; renamed so the builtin is not shadowed)
    ├── ConfigError             bad config file, missing credential, failing key command
    ├── RoutingError            unknown model/provider, ambiguous bare model id
    └── ProviderError           the provider (or the way to it) failed; carries an ErrorKind

Only the server layer turns these into JSON-RPC errors, using ``ERROR_CODES``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

__all__ = [
    "ERROR_CODES",
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


# Fixed JSON-RPC codes (the -32000..-32099 "server error" range, plus LSP's RequestCancelled).
ERROR_CODES: dict[ErrorKind, int] = {
    ErrorKind.CONFIG: -32001,
    ErrorKind.ROUTING: -32002,
    ErrorKind.AUTHENTICATION: -32010,
    ErrorKind.PERMISSION: -32011,
    ErrorKind.PAYMENT_REQUIRED: -32012,
    ErrorKind.RATE_LIMITED: -32013,
    ErrorKind.INVALID_REQUEST: -32014,
    ErrorKind.REQUEST_TOO_LARGE: -32015,
    ErrorKind.CONTEXT_LENGTH_EXCEEDED: -32016,
    ErrorKind.NOT_FOUND: -32017,
    ErrorKind.CONTENT_FILTER: -32018,
    ErrorKind.SERVER: -32020,
    ErrorKind.OVERLOADED: -32021,
    ErrorKind.TIMEOUT: -32022,
    ErrorKind.TRANSPORT: -32023,
    ErrorKind.PROTOCOL: -32024,
    ErrorKind.CANCELLED: -32800,
    ErrorKind.INTERNAL: -32603,
}


class ProviderRuntimeError(Exception):
    """Base of every error the runtime raises on purpose."""

    kind: ErrorKind = ErrorKind.INTERNAL
    retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def code(self) -> int:
        return ERROR_CODES[self.kind]

    def to_data(self) -> dict[str, Any]:
        """The JSON-RPC ``error.data`` object (never contains credentials)."""
        return {"kind": self.kind.value, "retryable": self.retryable}


class ConfigError(ProviderRuntimeError):
    """The configuration is unusable: names the file, key and problem where known."""

    kind = ErrorKind.CONFIG

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        where = ", ".join(x for x in (path, f"key `{key}`" if key else None) if x)
        super().__init__(f"{where}: {message}" if where else message)
        self.problem = message  # without the file and key
        self.path = path
        self.key = key

    def to_data(self) -> dict[str, Any]:
        return {**super().to_data(), "path": self.path, "key": self.key}


class RoutingError(ProviderRuntimeError):
    """The model could not be routed; ``candidates`` lists providers offering it, if several."""

    kind = ErrorKind.ROUTING

    def __init__(self, message: str, *, candidates: list[str] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []

    def to_data(self) -> dict[str, Any]:
        return {**super().to_data(), "candidates": self.candidates}


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
    """A provider call failed. ``retry_after`` is in seconds when the provider said so."""

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
    ) -> None:
        super().__init__(message)
        self.kind = kind
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

    def to_data(self) -> dict[str, Any]:
        return {
            **super().to_data(),
            "provider": self.provider,
            "status": self.status,
            "provider_code": self.provider_code,
            "request_id": self.request_id,
            "retry_after": self.retry_after,
        }
