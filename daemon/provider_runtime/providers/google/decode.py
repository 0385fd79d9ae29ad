"""Gemini ``GenerateContentResponse`` -> canonical ``ProviderResponse`` (pure).

Follows https://ai.google.dev/api/generate-content#generatecontentresponse (``Candidate``,
``FinishReason``, ``PromptFeedback``, ``UsageMetadata``) and
https://ai.google.dev/gemini-api/docs/thought-signatures: every ``thoughtSignature`` stays on the
part that carried it, tagged with the provider and the model the request named.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from ...core.errors import ErrorKind, ProviderError
from ...core.types import (
    AssistantOutput,
    ContentPart,
    FinishReason,
    PartSignature,
    ProviderResponse,
    ProviderRuntimeWarning,
    ReasoningPart,
    TextPart,
    ToolCall,
    Usage,
)
from ..errors import body_excerpt
from ..warnings import warn
from .wire import GeminiPart, GeminiResponse, GeminiUsage

__all__ = ["FINISH_REASONS", "decode_gemini_response", "map_finish_reason"]

# Candidate.finishReason -> canonical finish reason (the raw value is kept beside it).
FINISH_REASONS: dict[str, FinishReason] = {
    "STOP": FinishReason.STOP,
    "MAX_TOKENS": FinishReason.LENGTH,
    "SAFETY": FinishReason.CONTENT_FILTER,
    "RECITATION": FinishReason.CONTENT_FILTER,
    "BLOCKLIST": FinishReason.CONTENT_FILTER,
    "PROHIBITED_CONTENT": FinishReason.CONTENT_FILTER,
    "SPII": FinishReason.CONTENT_FILTER,
    "IMAGE_SAFETY": FinishReason.CONTENT_FILTER,
    "IMAGE_PROHIBITED_CONTENT": FinishReason.CONTENT_FILTER,
    "IMAGE_RECITATION": FinishReason.CONTENT_FILTER,
    "MALFORMED_FUNCTION_CALL": FinishReason.ERROR,
    "UNEXPECTED_TOOL_CALL": FinishReason.ERROR,
    "TOO_MANY_TOOL_CALLS": FinishReason.ERROR,
    "MISSING_THOUGHT_SIGNATURE": FinishReason.ERROR,
    "LANGUAGE": FinishReason.OTHER,
    "OTHER": FinishReason.OTHER,
    "IMAGE_OTHER": FinishReason.OTHER,
    "NO_IMAGE": FinishReason.OTHER,
    "FINISH_REASON_UNSPECIFIED": FinishReason.OTHER,
}

_decoder = msgspec.json.Decoder(GeminiResponse)
_json = msgspec.json.Encoder()
Warnings = list[ProviderRuntimeWarning]


def map_finish_reason(raw: str | None, *, has_tool_calls: bool = False) -> FinishReason:
    """``STOP`` with function calls is ``tool_calls``; unknown or missing values are ``other``."""
    unified = FINISH_REASONS.get(raw, FinishReason.OTHER) if raw else FinishReason.OTHER
    if unified is FinishReason.STOP and has_tool_calls:
        return FinishReason.TOOL_CALLS
    return unified


def decode_gemini_response(
    body: bytes, *, provider: str, model: str, request_id: str | None = None
) -> ProviderResponse:
    """``model`` is the id the request named: signatures and thoughts are tagged with it (so
    handoff replays them when the caller names that model again); the response's model is
    ``modelVersion`` when the answer gives one. ``request_id`` defaults to ``responseId``."""
    try:
        wire = _decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        what = f"Gemini response is not a GenerateContentResponse ({exc})"
        raise _protocol(what, body, provider) from None
    warnings: Warnings = []
    request_id = request_id or wire.responseId
    resolved = wire.modelVersion or model
    usage = decode_usage(wire.usageMetadata)
    if not wire.candidates:
        block = wire.promptFeedback.blockReason if wire.promptFeedback else None
        if block is None:
            raise _protocol("Gemini response has no candidates and no blockReason", body, provider)
        warn(
            warnings,
            "response.prompt_blocked",
            f"Gemini blocked the prompt ({block}); no answer was generated",
            block_reason=block,
        )
        return ProviderResponse(
            provider=provider,
            model=resolved,
            output=AssistantOutput(),
            finish_reason=FinishReason.CONTENT_FILTER,
            finish_reason_raw=block,
            usage=usage,
            warnings=warnings,
            request_id=request_id,
        )
    candidate = wire.candidates[0]
    raw_parts = candidate.content.parts if candidate.content and candidate.content.parts else []
    parts = _decode_parts(raw_parts, provider, model, wire.responseId, warnings)
    raw = candidate.finishReason
    finish = map_finish_reason(raw, has_tool_calls=any(isinstance(p, ToolCall) for p in parts))
    _finish_warnings(raw, finish, candidate.finishMessage, warnings)
    return ProviderResponse(
        provider=provider,
        model=resolved,
        output=AssistantOutput(content=parts),
        finish_reason=finish,
        finish_reason_raw=raw,
        usage=usage,
        warnings=warnings,
        request_id=request_id,
    )


def _protocol(what: str, body: bytes, provider: str) -> ProviderError:
    return ProviderError(ErrorKind.PROTOCOL, f"{what}: {body_excerpt(body)!r}", provider=provider)


def _decode_parts(
    parts: list[GeminiPart],
    provider: str,
    model: str,
    response_id: str | None,
    warnings: Warnings,
) -> list[ContentPart]:
    out: list[ContentPart] = []
    for index, part in enumerate(parts):
        sig = part.thoughtSignature
        signature = PartSignature(provider=provider, model=model, value=sig) if sig else None
        if part.functionCall is not None:
            out.append(_tool_call(part, index, signature, response_id, warnings))
        elif part.thought or (part.text in (None, "") and sig is not None):
            # a thought summary, or a signature on a part with no data (an empty text part)
            out.append(
                ReasoningPart(text=part.text or "", signature=sig, provider=provider, model=model)
            )
        elif part.text:
            out.append(TextPart(text=part.text, signature=signature))
        elif part.text is not None:
            continue  # an empty text part without a signature says nothing
        else:
            kind = next((k for k in _OTHER_KINDS if getattr(part, k) is not None), "unknown")
            warn(
                warnings,
                "response.unsupported_block",
                f"a part of kind `{kind}` has no canonical form; left out",
                block_index=index,
                block_type=kind,
            )
    return out


_OTHER_KINDS = ("inlineData", "fileData", "executableCode", "codeExecutionResult")


def _tool_call(
    part: GeminiPart,
    index: int,
    signature: PartSignature | None,
    response_id: str | None,
    warnings: Warnings,
) -> ToolCall:
    call = part.functionCall
    assert call is not None
    call_id = call.id or generated_call_id(response_id, index)
    arguments, raw = _arguments(call.args)
    if raw is not None:
        warn(
            warnings,
            "response.invalid_tool_arguments",
            f"tool call {call_id} args are not a JSON object; kept in raw_arguments",
            tool_call_id=call_id,
            name=call.name,
        )
    return ToolCall(
        id=call_id,
        name=call.name or "",
        arguments=arguments,
        raw_arguments=raw,
        signature=signature,
    )


def generated_call_id(response_id: str | None, index: int) -> str:
    """The id of a call the answer gave none: ``call_`` + 24 hex digits of SHA-256 of
    ``responseId`` NUL ``part index`` (unique across turns), or ``call_<index>`` without one."""
    if response_id is None:
        return f"call_{index}"
    digest = hashlib.sha256(f"{response_id}\x00{index}".encode()).hexdigest()
    return f"call_{digest[:24]}"


def _arguments(value: Any) -> tuple[dict[str, Any], str | None]:
    if isinstance(value, dict):
        return value, None
    if value is None:
        return {}, None
    return {}, _json.encode(value).decode()


def _finish_warnings(
    raw: str | None, finish: FinishReason, message: str | None, warnings: Warnings
) -> None:
    if raw is not None and raw not in FINISH_REASONS:
        warn(
            warnings,
            "response.unknown_finish_reason",
            f"unknown finishReason {raw!r}; reported as `other`",
            raw=raw,
        )
    elif finish in (FinishReason.CONTENT_FILTER, FinishReason.ERROR):
        warn(
            warnings,
            "response.finish_reason",
            f"Gemini stopped with {raw}" + (f": {message}" if message else ""),
            raw=raw,
            finish_message=message,
        )


def decode_usage(usage: GeminiUsage | None) -> Usage:
    """input = prompt (cached included) + tool-use prompt; output = candidates + thoughts, the
    thoughts also being the reasoning count; cache reads = cachedContentTokenCount."""
    if usage is None:
        return Usage()
    prompt = (usage.promptTokenCount or 0) + (usage.toolUsePromptTokenCount or 0)
    thoughts = usage.thoughtsTokenCount or 0
    output = (usage.candidatesTokenCount or 0) + thoughts
    return Usage(
        input_tokens=prompt,
        output_tokens=output,
        cache_read_tokens=min(usage.cachedContentTokenCount or 0, prompt),
        reasoning_tokens=thoughts,
        total_tokens=prompt + output,
    )
