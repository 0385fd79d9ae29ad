"""Gemini error bodies (``google.rpc.Status``) and model lists -> canonical types (pure).

Follows https://ai.google.dev/gemini-api/docs/troubleshooting (HTTP status, ``status`` and what
each means), https://cloud.google.com/apis/design/errors (``details``: ``ErrorInfo.reason``,
``RetryInfo.retryDelay``) and https://ai.google.dev/api/models#method:-models.list (paging).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import msgspec

from ...core.errors import ErrorKind, ProviderError
from ...core.types import ModelCapabilities, ModelInfo
from ..errors import body_excerpt, status_kind
from .wire import GeminiErrorBody, GeminiModelList, GeminiStatus

__all__ = ["REASON_KINDS", "STATUS_KINDS", "decode_gemini_error", "decode_gemini_models_page"]

# google.rpc.Code names -> kind; more precise than the HTTP status, so looked at first.
STATUS_KINDS: dict[str, ErrorKind] = {
    "INVALID_ARGUMENT": ErrorKind.INVALID_REQUEST,
    "FAILED_PRECONDITION": ErrorKind.INVALID_REQUEST,
    "OUT_OF_RANGE": ErrorKind.INVALID_REQUEST,
    "UNAUTHENTICATED": ErrorKind.AUTHENTICATION,
    "PERMISSION_DENIED": ErrorKind.PERMISSION,
    "NOT_FOUND": ErrorKind.NOT_FOUND,
    "RESOURCE_EXHAUSTED": ErrorKind.RATE_LIMITED,
    "INTERNAL": ErrorKind.SERVER,
    "UNKNOWN": ErrorKind.SERVER,
    "ABORTED": ErrorKind.SERVER,
    "UNAVAILABLE": ErrorKind.OVERLOADED,
    "DEADLINE_EXCEEDED": ErrorKind.TIMEOUT,
    "CANCELLED": ErrorKind.SERVER,
}
# ErrorInfo.reason values that change the kind the status gives.
REASON_KINDS: dict[str, ErrorKind] = {
    "API_KEY_INVALID": ErrorKind.AUTHENTICATION,  # answered as 400 INVALID_ARGUMENT
    "API_KEY_EXPIRED": ErrorKind.AUTHENTICATION,
}
_CONTEXT = re.compile(r"input token count .*exceeds|exceeds the maximum number of tokens", re.I)
_ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
_RETRY_INFO = "type.googleapis.com/google.rpc.RetryInfo"
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")

_error_decoder = msgspec.json.Decoder(GeminiErrorBody)
_models_decoder = msgspec.json.Decoder(GeminiModelList)


def decode_gemini_error(
    status: int,
    body: bytes,
    *,
    provider: str,
    request_id: str | None,
    retry_after: float | None,
    headers: Mapping[str, str] | None = None,  # not read: the google.rpc.Status body says it all
) -> ProviderError:
    """The error for a non-2xx answer; never raises."""
    error = _status(body)
    if error is None:
        return ProviderError(
            status_kind(status),
            f"non-JSON error body (HTTP {status}): {body_excerpt(body)}",
            provider=provider,
            status=status,
            request_id=request_id,
            retry_after=retry_after,
        )
    reason = _detail(error, _ERROR_INFO, "reason")
    message = error.message or f"HTTP {status}"
    kind = REASON_KINDS.get(reason or "") or STATUS_KINDS.get(error.status or "")
    kind = kind or status_kind(status)
    if kind is ErrorKind.INVALID_REQUEST and _CONTEXT.search(message):
        kind = ErrorKind.CONTEXT_LENGTH_EXCEEDED
    if retry_after is None:
        retry_after = _duration(_detail(error, _RETRY_INFO, "retryDelay"))
    return ProviderError(
        kind,
        message,
        provider=provider,
        status=status,
        provider_code=reason or error.status,
        request_id=request_id,
        retry_after=retry_after,
    )


def _status(body: bytes) -> GeminiStatus | None:
    try:
        decoded = _error_decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return decoded.error


def _detail(error: GeminiStatus, type_url: str, key: str) -> str | None:
    for detail in error.details or []:
        if isinstance(detail, dict) and detail.get("@type") == type_url:
            value = detail.get(key)
            return value if isinstance(value, str) else None
    return None


def _duration(value: str | None) -> float | None:
    """A protobuf Duration in JSON (``"12s"``, ``"0.5s"``) in seconds."""
    match = _DURATION.match(value or "")
    return float(match.group(1)) if match else None


def decode_gemini_models_page(body: bytes, *, provider: str) -> tuple[list[ModelInfo], str | None]:
    """One ``GET /models`` page: the models that answer ``generateContent`` and the next
    page's token (None on the last page)."""
    try:
        page = _models_decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise ProviderError(
            ErrorKind.PROTOCOL,
            f"Gemini model list is not a ListModelsResponse ({exc}): {body_excerpt(body)!r}",
            provider=provider,
        ) from None
    models: list[ModelInfo] = []
    for entry in page.models or []:
        name = (entry.name or "").removeprefix("models/")
        if not name or "generateContent" not in (entry.supportedGenerationMethods or []):
            continue
        models.append(
            ModelInfo(
                provider=provider,
                id=name,
                display_name=entry.displayName,
                context_window=entry.inputTokenLimit,
                max_output_tokens=entry.outputTokenLimit,
                capabilities=ModelCapabilities(reasoning=entry.thinking),
                source="remote",
            )
        )
    return models, page.nextPageToken or None
