"""Bedrock Converse responses and errors -> canonical types (pure).

Follows https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
(``ConverseResponse``, ``StopReason``, ``TokenUsage``, the errors and their HTTP statuses) and
the AWS JSON error convention (``x-amzn-ErrorType`` header, ``__type`` in the body).
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
    BedrockContentBlock,
    BedrockConverseResponse,
    BedrockCountTokensResponse,
    BedrockErrorBody,
    BedrockUsage,
)

__all__ = [
    "ERROR_TYPES",
    "FINISH_REASONS",
    "decode_bedrock_count",
    "decode_bedrock_error",
    "decode_bedrock_response",
    "map_finish_reason",
]

# stopReason -> canonical finish reason (the raw value is kept beside it).
FINISH_REASONS: dict[str, FinishReason] = {
    "end_turn": FinishReason.STOP,
    "stop_sequence": FinishReason.STOP,
    "max_tokens": FinishReason.LENGTH,
    "model_context_window_exceeded": FinishReason.LENGTH,
    "tool_use": FinishReason.TOOL_CALLS,
    "guardrail_intervened": FinishReason.CONTENT_FILTER,
    "content_filtered": FinishReason.CONTENT_FILTER,
    "malformed_model_output": FinishReason.OTHER,
    "malformed_tool_use": FinishReason.OTHER,
}

# The error type (x-amzn-ErrorType before `:`, else the body's __type) -> kind.
ERROR_TYPES: dict[str, ErrorKind] = {
    "ValidationException": ErrorKind.INVALID_REQUEST,
    "AccessDeniedException": ErrorKind.PERMISSION,
    "UnrecognizedClientException": ErrorKind.AUTHENTICATION,
    "ExpiredTokenException": ErrorKind.AUTHENTICATION,
    "InvalidSignatureException": ErrorKind.AUTHENTICATION,
    "IncompleteSignatureException": ErrorKind.AUTHENTICATION,
    "MissingAuthenticationTokenException": ErrorKind.AUTHENTICATION,
    "ResourceNotFoundException": ErrorKind.NOT_FOUND,
    "ThrottlingException": ErrorKind.RATE_LIMITED,
    "ServiceQuotaExceededException": ErrorKind.RATE_LIMITED,
    "ModelNotReadyException": ErrorKind.OVERLOADED,
    "ModelTimeoutException": ErrorKind.TIMEOUT,
    "ModelErrorException": ErrorKind.SERVER,
    "InternalServerException": ErrorKind.SERVER,
    "ServiceUnavailableException": ErrorKind.SERVER,
}
# Types whose retry the kind alone would decide wrongly: a quota is not lifted by waiting.
_NOT_RETRYABLE = frozenset({"ServiceQuotaExceededException"})
# Phrases of ValidationException messages that mean the prompt does not fit the context.
_CONTEXT_PHRASES = ("too long", "context length", "input is too long", "maximum context")

_response_decoder = msgspec.json.Decoder(BedrockConverseResponse)
_count_decoder = msgspec.json.Decoder(BedrockCountTokensResponse)
_error_decoder = msgspec.json.Decoder(BedrockErrorBody)
_json_encoder = msgspec.json.Encoder()


def map_finish_reason(raw: str | None) -> FinishReason:
    """Unknown or missing stop reasons map to OTHER (the raw value travels separately)."""
    return map_stop_reason(raw, FINISH_REASONS)


def _protocol_error(what: str, body: bytes, *, provider: str, request_id: str | None) -> Exception:
    return ProviderError(
        ErrorKind.PROTOCOL,
        f"{what}: {body_excerpt(body)!r}",
        provider=provider,
        request_id=request_id,
    )


# --------------------------------------------------------------------------- responses


def decode_bedrock_response(
    body: bytes, *, provider: str, model: str, request_id: str | None = None
) -> ProviderResponse:
    """A ``ConverseResponse`` -> ``ProviderResponse`` (``cost`` stays None).

    Converse names no model: ``model`` is the id the request named, and reasoning parts are
    tagged with it so that handoff replays them only to this same model.
    """
    try:
        wire = _response_decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise _protocol_error(
            f"Bedrock response is not a valid ConverseResponse ({exc})",
            body,
            provider=provider,
            request_id=request_id,
        ) from None
    message = wire.output.message if wire.output is not None else None
    if message is None or message.content is None:
        raise _protocol_error(
            "Bedrock response holds no `output.message.content`",
            body,
            provider=provider,
            request_id=request_id,
        )
    warnings: list[ProviderRuntimeWarning] = []
    parts = _decode_blocks(message.content, provider, model, warnings)
    _stop_reason_warnings(wire.stop_reason, warnings)
    return ProviderResponse(
        provider=provider,
        model=model,
        output=AssistantOutput(content=parts),
        finish_reason=map_finish_reason(wire.stop_reason),
        finish_reason_raw=wire.stop_reason,
        usage=decode_usage(wire.usage),
        warnings=warnings,
        request_id=request_id,
    )


def _decode_blocks(
    blocks: list[BedrockContentBlock],
    provider: str,
    model: str,
    warnings: list[ProviderRuntimeWarning],
) -> list[ContentPart]:
    parts: list[ContentPart] = []
    for index, block in enumerate(blocks):
        if block.text is not None:
            parts.append(TextPart(text=block.text))
        elif block.tool_use is not None:
            use = block.tool_use
            arguments, raw = _tool_arguments(use.input)
            if raw is not None:
                warn(
                    warnings,
                    "response.invalid_tool_arguments",
                    f"tool call {use.tool_use_id} input is not a JSON object; kept in "
                    "raw_arguments",
                    block_index=index,
                    tool_call_id=use.tool_use_id,
                )
            parts.append(
                ToolCall(id=use.tool_use_id, name=use.name, arguments=arguments, raw_arguments=raw)
            )
        elif block.reasoning_content is not None:
            reasoning = block.reasoning_content
            if reasoning.redacted_content is not None:
                parts.append(
                    ReasoningPart(
                        redacted=True,
                        data=reasoning.redacted_content,
                        provider=provider,
                        model=model,
                    )
                )
            elif reasoning.reasoning_text is not None:
                parts.append(
                    ReasoningPart(
                        text=reasoning.reasoning_text.text,
                        signature=reasoning.reasoning_text.signature,
                        provider=provider,
                        model=model,
                    )
                )
        else:
            kind = block.kind() or "unknown"
            warn(
                warnings,
                "response.unsupported_block",
                f"a {kind} content block has no canonical form; left out",
                block_index=index,
                block_type=kind,
            )
    return parts


def _tool_arguments(value: Any) -> tuple[dict[str, Any], str | None]:
    """``input`` is normally an object; anything else is kept raw."""
    if isinstance(value, dict):
        return value, None
    if value is None:
        return {}, None
    return {}, value if isinstance(value, str) else _json_encoder.encode(value).decode()


_STOP_NOTICES = {
    "guardrail_intervened": (
        "response.refusal",
        "a Bedrock guardrail intervened (guardrail_intervened)",
    ),
    "content_filtered": (
        "response.refusal",
        "the model's output was filtered (content_filtered)",
    ),
}


def _stop_reason_warnings(raw: str | None, warnings: list[ProviderRuntimeWarning]) -> None:
    stop_reason_warnings(raw, FINISH_REASONS, _STOP_NOTICES, field="stopReason", warnings=warnings)


def decode_usage(usage: BedrockUsage | None) -> Usage:
    """Converse's ``inputTokens`` leaves out cache reads and writes; canonical input has all."""
    if usage is None:
        return Usage()
    cache_read = usage.cache_read_input_tokens or 0
    cache_write = usage.cache_write_input_tokens or 0
    total_input = (usage.input_tokens or 0) + cache_read + cache_write
    output = usage.output_tokens or 0
    return Usage(
        input_tokens=total_input,
        output_tokens=output,
        cache_read_tokens=cache_read,
        cache_write_tokens=cache_write,
        total_tokens=total_input + output,
    )


def decode_bedrock_count(body: bytes, *, provider: str) -> int:
    """A ``CountTokensResponse`` -> its ``inputTokens``."""
    try:
        wire = _count_decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise _protocol_error(
            f"Bedrock CountTokens answer is not valid ({exc})",
            body,
            provider=provider,
            request_id=None,
        ) from None
    if wire.input_tokens is None:
        raise _protocol_error(
            "Bedrock CountTokens answer has no inputTokens",
            body,
            provider=provider,
            request_id=None,
        )
    return wire.input_tokens


# --------------------------------------------------------------------------- errors


def _error_type(headers: Mapping[str, str], wire: BedrockErrorBody | None) -> str | None:
    """``x-amzn-ErrorType: ThrottlingException:http://internal.amazon.com/...`` -> the name;
    else the body's ``__type`` (which may be namespaced ``com.amazon...#Name``)."""
    raw = _header(headers, "x-amzn-errortype") or (wire.type if wire is not None else None)
    if not raw:
        return None
    return raw.split(":", 1)[0].rsplit("#", 1)[-1] or None


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def decode_bedrock_error(
    status: int,
    body: bytes,
    *,
    provider: str,
    request_id: str | None,
    retry_after: float | None,
    headers: Mapping[str, str] | None = None,
) -> ProviderError:
    """A non-2xx answer -> ``ProviderError`` (kind from the error type, else the status)."""
    try:
        wire: BedrockErrorBody | None = _error_decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        wire = None
    code = _error_type(headers or {}, wire)
    text = (wire.message or wire.message_upper) if wire is not None else None
    kind = ERROR_TYPES.get(code or "", status_kind(status))
    if status == 403 and code is None:
        kind = ErrorKind.AUTHENTICATION  # an unsigned or badly signed request, no type given
    if text is None:
        text = f"HTTP {status}: {body_excerpt(body)!r}" if body else f"HTTP {status}"
    if kind is ErrorKind.INVALID_REQUEST and any(p in text.lower() for p in _CONTEXT_PHRASES):
        kind = ErrorKind.CONTEXT_LENGTH_EXCEEDED
    return ProviderError(
        kind,
        text,
        provider=provider,
        status=status,
        provider_code=code,
        request_id=request_id,
        retry_after=retry_after,
        retryable=False if code in _NOT_RETRYABLE else None,
    )
