"""The one place exceptions become JSON-RPC errors: protocol codes and runtime error kinds."""

from __future__ import annotations

import logging
import re
from typing import Any, TypeVar

import msgspec

from ..config.hints import did_you_mean, fields_at
from ..core.errors import (
    ConfigError,
    ErrorKind,
    ProviderError,
    ProviderRuntimeError,
    RoutingError,
)

__all__ = [
    "ERROR_CODES",
    "INTERNAL_ERROR",
    "INVALID_PARAMS",
    "INVALID_REQUEST",
    "METHOD_NOT_FOUND",
    "PARSE_ERROR",
    "REQUEST_CANCELLED",
    "RpcError",
    "cancelled_error",
    "decode_params",
    "error_data",
    "error_object",
]

log = logging.getLogger("provider_runtime.server")

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602
INTERNAL_ERROR = -32603
REQUEST_CANCELLED = -32800

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

# Every runtime error's `data` has these keys (None when they do not apply), so clients can
# read them without checking which error class produced it.
_DATA_DEFAULTS: dict[str, Any] = {
    "kind": "internal",
    "retryable": False,
    "provider": None,
    "status": None,
    "retry_after": None,
    "rate_limit": None,
}

_AT_PATH = re.compile(r" - at `\$(?P<path>[^`]*)`$")
_UNKNOWN_FIELD = re.compile(r"^Object contains unknown field `(?P<field>[^`]*)`")

# Fields other APIs spell differently, and the canonical name to use instead.
_ALIASES = {
    "max_tokens": "max_output_tokens",
    "max_completion_tokens": "max_output_tokens",
    "maxTokens": "max_output_tokens",
    "stop_sequences": "stop",
    "reasoning_effort": "reasoning",
    "system": "messages",
}

T = TypeVar("T")


def error_data(exc: ProviderRuntimeError) -> dict[str, Any]:
    """The JSON-RPC ``error.data`` of a runtime error: its kind and what locates the fault
    (never a credential)."""
    data: dict[str, Any] = {**_DATA_DEFAULTS, "kind": exc.kind.value, "retryable": exc.retryable}
    if isinstance(exc, ConfigError):
        data.update(path=exc.path, key=exc.key)
    elif isinstance(exc, RoutingError):
        data["candidates"] = exc.candidates
    elif isinstance(exc, ProviderError):
        data.update(
            provider=exc.provider,
            status=exc.status,
            provider_code=exc.provider_code,
            request_id=exc.request_id,
            retry_after=exc.retry_after,
            rate_limit=msgspec.to_builtins(exc.rate_limit),
        )
    return data


def cancelled_error(msg_id: int | str | None) -> dict[str, Any]:
    """The reply to a cancelled request: LSP's RequestCancelled code, kind ``cancelled``."""
    data = {**_DATA_DEFAULTS, "kind": "cancelled"}
    return error_object(msg_id, REQUEST_CANCELLED, f"request {msg_id!r} was cancelled", data)


def error_object(
    msg_id: int | str | None, code: int, message: str, data: Any = None
) -> dict[str, Any]:
    """A complete JSON-RPC error response."""
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": msg_id, "error": error}


class RpcError(Exception):
    """An error reply: ``code``, ``message`` and optional ``data``."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.data = data

    def response(self, msg_id: int | str | None) -> dict[str, Any]:
        return error_object(msg_id, self.code, self.message, self.data)

    def as_error(self) -> dict[str, Any]:
        """The ``error`` member alone: code, message and data."""
        error: dict[str, Any] = self.response(None)["error"]
        return error

    @classmethod
    def from_exception(cls, exc: Exception, method: str) -> RpcError:
        """Map anything a handler raised; unexpected exceptions are logged with a traceback."""
        if isinstance(exc, RpcError):
            return exc
        if isinstance(exc, ProviderRuntimeError):
            return cls(ERROR_CODES[exc.kind], str(exc), error_data(exc))
        log.error("internal error in `%s`", method, exc_info=exc)
        return cls(
            INTERNAL_ERROR,
            f"internal error in `{method}`: {type(exc).__name__}",
            {**_DATA_DEFAULTS},
        )


def _field_hint(message: str, kind: Any, where: str) -> str:
    """For an unknown field: the canonical name to use, else the closest valid field."""
    unknown = _UNKNOWN_FIELD.match(message)
    if unknown is None:
        return ""
    field = unknown["field"]
    valid = fields_at(kind, where) or []
    alias = _ALIASES.get(field)
    if alias is not None and alias in valid:
        return f"; use `{alias}` instead"
    guess = did_you_mean(field, valid)
    return f"; did you mean `{guess}`?" if guess else ""


def decode_params(raw: msgspec.Raw | None, kind: type[T], *, required: bool = False) -> T:
    """Decode a request's raw ``params`` into ``kind``; errors name the JSON path (-32602).

    Missing or null params decode as ``{}`` (all defaults) unless ``required``.
    """
    if raw is None:
        if required:
            raise RpcError(
                INVALID_PARAMS, "invalid params: `params` is required", {"path": "params"}
            )
        raw = msgspec.Raw(b"{}")
    try:
        return msgspec.json.decode(raw, type=kind)
    except msgspec.ValidationError as exc:
        text = str(exc)
        match = _AT_PATH.search(text)
        where = match.group("path") if match else ""
        path = "params" + where
        reason = (text[: match.start()] if match else text) + _field_hint(text, kind, where)
        raise RpcError(
            INVALID_PARAMS, f"invalid params at `{path}`: {reason}", {"path": path}
        ) from None
    except (msgspec.DecodeError, RecursionError) as exc:  # the frame parsed, so: nesting depth
        raise RpcError(INVALID_PARAMS, f"invalid params: {exc}", {"path": "params"}) from None
    except UnicodeDecodeError:  # the envelope skips over params without checking UTF-8
        raise RpcError(
            INVALID_PARAMS, "invalid params: a string is not valid UTF-8", {"path": "params"}
        ) from None
