"""Anthropic Messages responses, errors and model lists -> canonical types (pure).

Follows https://docs.claude.com/en/api/messages, /en/api/errors and /en/api/models-list.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from ...core.errors import ErrorKind, ProviderError
from ...core.types import (
    AssistantOutput,
    ContentPart,
    FinishReason,
    ModelInfo,
    ProviderResponse,
    ProviderRuntimeWarning,
    ReasoningPart,
    TextPart,
    ToolCall,
    Usage,
)
from ..errors import body_excerpt, status_kind
from ..stop_reasons import map_stop_reason, stop_reason_warnings
from ..warnings import warn
from .wire import (
    AnthropicContentBlock,
    AnthropicErrorBody,
    AnthropicMessage,
    AnthropicModelList,
    AnthropicUsage,
)

__all__ = [
    "ERROR_TYPES",
    "FINISH_REASONS",
    "decode_anthropic_error",
    "decode_anthropic_models",
    "decode_anthropic_models_page",
    "decode_anthropic_response",
    "map_finish_reason",
]

# stop_reason -> canonical finish reason (the raw value is kept beside it).
FINISH_REASONS: dict[str, FinishReason] = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "max_tokens": FinishReason.LENGTH,
    "model_context_window_exceeded": FinishReason.LENGTH,
    "tool_use": FinishReason.TOOL_CALLS,
    "refusal": FinishReason.CONTENT_FILTER,
    "pause_turn": FinishReason.OTHER,
}

# error.type -> kind; it is more precise than the HTTP status, so it is looked at first.
ERROR_TYPES: dict[str, ErrorKind] = {
    "invalid_request_error": ErrorKind.INVALID_REQUEST,
    "authentication_error": ErrorKind.AUTHENTICATION,
    "billing_error": ErrorKind.PAYMENT_REQUIRED,
    "permission_error": ErrorKind.PERMISSION,
    "not_found_error": ErrorKind.NOT_FOUND,
    "request_too_large": ErrorKind.REQUEST_TOO_LARGE,
    "rate_limit_error": ErrorKind.RATE_LIMITED,
    "timeout_error": ErrorKind.TIMEOUT,
    "api_error": ErrorKind.SERVER,
    "overloaded_error": ErrorKind.OVERLOADED,
}

# Phrases of invalid_request_error messages that mean the prompt does not fit the context.
_CONTEXT_PHRASES = ("prompt is too long", "exceed context limit")

_message_decoder = msgspec.json.Decoder(AnthropicMessage)
_error_decoder = msgspec.json.Decoder(AnthropicErrorBody)
_models_decoder = msgspec.json.Decoder(AnthropicModelList)
_json_encoder = msgspec.json.Encoder()


def _protocol_error(
    what: str, body: bytes, *, provider: str, request_id: str | None, status: int | None = None
) -> ProviderError:
    return ProviderError(
        ErrorKind.PROTOCOL,
        f"{what}: {body_excerpt(body)!r}",
        provider=provider,
        status=status,
        request_id=request_id,
    )


def map_finish_reason(raw: str | None) -> FinishReason:
    """Unknown or missing stop reasons map to OTHER (the raw value travels separately)."""
    return map_stop_reason(raw, FINISH_REASONS)


# --------------------------------------------------------------------------- responses


def decode_anthropic_response(
    body: bytes,
    *,
    provider: str,
    request_id: str | None = None,
    model: str | None = None,
    json_tool: str | None = None,
) -> ProviderResponse:
    """A Messages API ``Message`` -> ``ProviderResponse`` (``cost`` stays None).

    ``request_id`` defaults to the message id. ``model`` is the id the request named: reasoning
    parts are tagged with it (so handoff replays them when the caller names the same model
    again, even if the answer names a dated snapshot), and it is the response's model only when
    the body names none.
    ``json_tool`` names the tool that carried a json_schema response: its call becomes text.
    """
    try:
        wire = _message_decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise _protocol_error(
            f"Anthropic response is not a valid Message ({exc})",
            body,
            provider=provider,
            request_id=request_id,
        ) from None
    if wire.content is None or (wire.type is not None and wire.type != "message"):
        raise _protocol_error(
            "Anthropic response is not a Message (no `content` list)",
            body,
            provider=provider,
            request_id=request_id,
        )
    resolved_model = wire.model or model or ""
    warnings: list[ProviderRuntimeWarning] = []
    parts = _decode_blocks(wire.content, provider, model or resolved_model, json_tool, warnings)
    finish = map_finish_reason(wire.stop_reason)
    answered_in_json = json_tool is not None and not any(isinstance(p, ToolCall) for p in parts)
    if answered_in_json and finish is FinishReason.TOOL_CALLS:
        finish = FinishReason.STOP  # the only call was the json answer
    _stop_reason_warnings(wire.stop_reason, warnings)
    return ProviderResponse(
        provider=provider,
        model=resolved_model,
        output=AssistantOutput(content=parts),
        finish_reason=finish,
        finish_reason_raw=wire.stop_reason,
        usage=_decode_usage(wire.usage),
        warnings=warnings,
        request_id=request_id or wire.id,
    )


def _decode_blocks(
    blocks: list[AnthropicContentBlock],
    provider: str,
    model: str,
    json_tool: str | None,
    warnings: list[ProviderRuntimeWarning],
) -> list[ContentPart]:
    parts: list[ContentPart] = []
    for index, block in enumerate(blocks):
        if block.type == "text":
            if block.citations:
                warn(
                    warnings,
                    "response.citations_omitted",
                    "citations attached to the text are not part of the canonical response",
                    block_index=index,
                )
            parts.append(TextPart(text=block.text or ""))
        elif block.type == "thinking":
            parts.append(
                ReasoningPart(
                    text=block.thinking or "",
                    signature=block.signature,
                    provider=provider,
                    model=model,
                )
            )
        elif block.type == "redacted_thinking":
            parts.append(
                ReasoningPart(redacted=True, data=block.data, provider=provider, model=model)
            )
        elif block.type == "tool_use":
            parts.append(_decode_tool_use(block, index, json_tool, warnings))
        else:
            warn(
                warnings,
                "response.unsupported_block",
                f"a {block.type or 'untyped'} content block has no canonical form; left out",
                block_index=index,
                block_type=block.type,
            )
    return parts


def _decode_tool_use(
    block: AnthropicContentBlock,
    index: int,
    json_tool: str | None,
    warnings: list[ProviderRuntimeWarning],
) -> ContentPart:
    name = block.name or ""
    if json_tool is not None and name == json_tool:
        payload = block.input if block.input is not None else {}
        if isinstance(payload, str):
            return TextPart(text=payload)
        return TextPart(text=_json_encoder.encode(payload).decode())
    arguments, raw = _tool_arguments(block.input)
    if raw is not None:
        warn(
            warnings,
            "response.invalid_tool_arguments",
            f"tool call {block.id} input is not a JSON object; kept in raw_arguments",
            block_index=index,
            tool_call_id=block.id,
        )
    return ToolCall(id=block.id or "", name=name, arguments=arguments, raw_arguments=raw)


def _tool_arguments(value: Any) -> tuple[dict[str, Any], str | None]:
    """``input`` is normally an object; a JSON string is parsed, anything else kept raw."""
    if isinstance(value, dict):
        return value, None
    if value is None:
        return {}, None
    if isinstance(value, str):
        try:
            parsed = msgspec.json.decode(value)
        except msgspec.DecodeError:
            return {}, value
        if isinstance(parsed, dict):
            return parsed, None
        return {}, value
    return {}, _json_encoder.encode(value).decode()


_STOP_NOTICES = {
    "refusal": ("response.refusal", "the model declined to answer (stop_reason refusal)"),
    "pause_turn": (
        "response.pause_turn",
        "the provider paused a long-running turn; send the response back to let it continue",
    ),
}


def _stop_reason_warnings(raw: str | None, warnings: list[ProviderRuntimeWarning]) -> None:
    stop_reason_warnings(raw, FINISH_REASONS, _STOP_NOTICES, field="stop_reason", warnings=warnings)


def _decode_usage(usage: AnthropicUsage | None) -> Usage:
    """Anthropic's ``input_tokens`` excludes cache reads and writes; canonical input has all."""
    if usage is None:
        return Usage()
    uncached = usage.input_tokens or 0
    cache_read = usage.cache_read_input_tokens or 0
    cache_write = usage.cache_creation_input_tokens or 0
    split = usage.cache_creation
    cache_write_1h = min(cache_write, (split.ephemeral_1h_input_tokens or 0) if split else 0)
    output = usage.output_tokens or 0
    total_input = uncached + cache_read + cache_write
    return Usage(
        input_tokens=total_input,
        output_tokens=output,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        cache_write_1h_tokens=cache_write_1h,
        total_tokens=total_input + output,
    )


# --------------------------------------------------------------------------- errors


def decode_anthropic_error(
    status: int,
    body: bytes,
    *,
    provider: str,
    request_id: str | None,
    retry_after: float | None,
    headers: Mapping[str, str] | None = None,  # not read: the body says it all
) -> ProviderError:
    """A non-2xx answer -> ``ProviderError`` (kind from ``error.type``, else from the status)."""
    default_kind = status_kind(status)
    what = "error body without an `error` object"
    try:
        wire: AnthropicErrorBody | None = _error_decoder.decode(body)
    except msgspec.ValidationError:
        wire = None
    except msgspec.DecodeError:
        wire, what = None, "non-JSON error body"
    if wire is None or wire.error is None:
        return ProviderError(
            default_kind,
            f"{what} (HTTP {status}): {body_excerpt(body)!r}",
            provider=provider,
            status=status,
            request_id=request_id,
            retry_after=retry_after,
        )
    code = wire.error.type
    message = wire.error.message or f"HTTP {status}"
    kind = ERROR_TYPES.get(code or "", default_kind)
    if kind is ErrorKind.INVALID_REQUEST and any(p in message.lower() for p in _CONTEXT_PHRASES):
        kind = ErrorKind.CONTEXT_LENGTH_EXCEEDED
    return ProviderError(
        kind,
        message,
        provider=provider,
        status=status,
        provider_code=code,
        request_id=request_id or wire.request_id,
        retry_after=retry_after,
    )


# --------------------------------------------------------------------------- models


def decode_anthropic_models_page(
    body: bytes, *, provider: str
) -> tuple[list[ModelInfo], str | None]:
    """One ``GET /v1/models`` page: its models and the ``after_id`` of the next page, if any."""
    try:
        wire = _models_decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise _protocol_error(
            f"Anthropic model list is not valid ({exc})", body, provider=provider, request_id=None
        ) from None
    if wire.data is None:
        raise _protocol_error(
            "Anthropic model list has no `data` array", body, provider=provider, request_id=None
        )
    models = [
        ModelInfo(provider=provider, id=m.id, display_name=m.display_name, source="remote")
        for m in wire.data
        if m.id
    ]
    cursor = wire.last_id if wire.has_more and wire.last_id else None
    return models, cursor


def decode_anthropic_models(body: bytes, *, provider: str) -> list[ModelInfo]:
    """The models of one ``GET /v1/models`` page (``source="remote"``)."""
    return decode_anthropic_models_page(body, provider=provider)[0]
