"""OpenAI-style error bodies -> ``ProviderError`` (shared with OpenRouter and compatible servers).

Follows https://platform.openai.com/docs/guides/error-codes: ``{"error": {"message", "type",
"param", "code"}}``. Compatible servers also answer ``{"error": "text"}``, ``{"message": ...}``
or FastAPI's ``{"detail": ...}``; anything that is not JSON (a proxy's HTML page) is reported
with a short excerpt under the kind its HTTP status implies.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import msgspec

from ...core.errors import ErrorKind, ProviderError
from ..errors import body_excerpt, status_kind
from .wire import OpenAIErrorBody

__all__ = [
    "ErrorInfo",
    "body_excerpt",
    "decode_openai_error",
    "parse_error_body",
    "refine_kind",
    "status_kind",
]

# Provider codes that name the problem better than the HTTP status does.
_CODE_KINDS: dict[str, ErrorKind] = {
    "context_length_exceeded": ErrorKind.CONTEXT_LENGTH_EXCEEDED,
    "insufficient_quota": ErrorKind.PAYMENT_REQUIRED,
    "billing_hard_limit_reached": ErrorKind.PAYMENT_REQUIRED,
    "content_filter": ErrorKind.CONTENT_FILTER,
    "content_policy_violation": ErrorKind.CONTENT_FILTER,
    "model_not_found": ErrorKind.NOT_FOUND,
    "invalid_api_key": ErrorKind.AUTHENTICATION,
}

# Wordings of "the prompt does not fit" used by OpenAI, OpenRouter and common servers.
_CONTEXT_MESSAGE = re.compile(
    r"maximum context length|context length|context window|context_length_exceeded"
    r"|prompt is too long|too many (?:input )?tokens",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """What an error body said: its message, the provider's code, and the raw ``error`` object."""

    message: str
    code: str | None
    error: dict[str, Any]


def refine_kind(kind: ErrorKind, status: int, code: str | None, message: str) -> ErrorKind:
    """A more precise kind from the provider's own code or wording, if it has one."""
    if code is not None and code in _CODE_KINDS:
        return _CODE_KINDS[code]
    if status in (400, 413, 422) and _CONTEXT_MESSAGE.search(message):
        return ErrorKind.CONTEXT_LENGTH_EXCEEDED
    if status == 503 and "overloaded" in message.lower():
        # error-codes guide: "503 - The engine is currently overloaded" (high traffic, retry)
        return ErrorKind.OVERLOADED
    return kind


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else msgspec.json.encode(value).decode()


_error_body = msgspec.json.Decoder(OpenAIErrorBody)


def parse_error_body(body: bytes) -> ErrorInfo | None:
    """The error of a JSON error body, or None when the body is not a JSON object."""
    try:
        data = _error_body.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    error = data.error
    if isinstance(error, dict):
        code = error.get("code")
        code = code if code is not None else error.get("type")
        return ErrorInfo(_text(error.get("message")) or "", _text(code), error)
    if isinstance(error, str):
        return ErrorInfo(error, _text(data.code or data.type), {})
    message = _text(data.message) or _text(data.detail) or ""
    return ErrorInfo(message, _text(data.code or data.type), {})


def decode_openai_error(
    status: int,
    body: bytes,
    *,
    provider: str,
    request_id: str | None = None,
    retry_after: float | None = None,
    headers: Mapping[str, str] | None = None,  # not read: the body says it all
) -> ProviderError:
    """The ``ProviderError`` for a non-2xx answer (never raises)."""
    kind = status_kind(status)
    info = parse_error_body(body)
    if info is None:
        what = "empty error body" if not body.strip() else "non-JSON error body"
        excerpt = body_excerpt(body)
        message = f"{what} (HTTP {status})" + (f": {excerpt}" if excerpt else "")
        return ProviderError(
            kind,
            message,
            provider=provider,
            status=status,
            request_id=request_id,
            retry_after=retry_after,
        )
    kind = refine_kind(kind, status, info.code, info.message)
    return ProviderError(
        kind,
        info.message or f"HTTP {status} without an error message",
        provider=provider,
        status=status,
        provider_code=info.code,
        request_id=request_id,
        retry_after=retry_after,
    )
