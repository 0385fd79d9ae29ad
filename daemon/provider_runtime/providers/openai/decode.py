"""OpenAI Chat Completions response and ``/models`` list -> canonical types. Pure.

Follows https://platform.openai.com/docs/api-reference/chat/object and
https://platform.openai.com/docs/api-reference/models/list. The helpers are shared with the
OpenRouter decoder, which reads the same shape plus its own fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

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
from ..warnings import warning
from .errors import body_excerpt, decode_openai_error
from .wire import (
    OpenAIChatCompletion,
    OpenAIFunctionCall,
    OpenAIModelList,
    OpenAIResponseMessage,
    OpenAIToolCall,
    OpenAIUsage,
)

__all__ = [
    "FINISH_REASONS",
    "decode_message",
    "decode_openai_error",
    "decode_openai_models",
    "decode_openai_response",
    "decode_tool_call",
    "first_choice",
    "map_finish_reason",
    "map_usage",
    "parse_body",
    "unify_finish",
]

FINISH_REASONS: dict[str, FinishReason] = {
    "stop": FinishReason.STOP,
    "length": FinishReason.LENGTH,
    "tool_calls": FinishReason.TOOL_CALLS,
    "function_call": FinishReason.TOOL_CALLS,  # deprecated `functions` API
    "content_filter": FinishReason.CONTENT_FILTER,
}

T = TypeVar("T")
Warnings = list[ProviderRuntimeWarning]


def map_finish_reason(
    raw: str | None, table: dict[str, FinishReason] = FINISH_REASONS
) -> FinishReason:
    """The unified reason for a raw one; unknown or missing reasons are ``other``."""
    return table.get(raw, FinishReason.OTHER) if raw is not None else FinishReason.OTHER


def unify_finish(finish: FinishReason, parts: Sequence[ContentPart], refused: bool) -> FinishReason:
    """A refusal is ``content_filter``; ``stop`` with tool calls is ``tool_calls`` (OpenAI says
    ``stop`` when a named tool was forced, though the calls still need answering)."""
    if refused:
        return FinishReason.CONTENT_FILTER
    if finish is FinishReason.STOP and any(isinstance(p, ToolCall) for p in parts):
        return FinishReason.TOOL_CALLS
    return finish


def parse_body(body: bytes, decoder: msgspec.json.Decoder[T], *, provider: str, what: str) -> T:
    """Decode a 2xx body or raise ``ProviderError(PROTOCOL)`` quoting a short excerpt."""
    try:
        return decoder.decode(body)
    except msgspec.ValidationError as exc:
        problem = f"{what} has an unexpected shape ({exc})"
    except msgspec.DecodeError:
        problem = f"{what} is not JSON"
    excerpt = body_excerpt(body)
    raise ProviderError(
        ErrorKind.PROTOCOL, f"{problem}: {excerpt}" if excerpt else problem, provider=provider
    )


def map_usage(usage: OpenAIUsage | None) -> Usage:
    """Chat Completions usage in canonical terms: ``prompt_tokens`` already includes cached."""
    if usage is None:
        return Usage()
    prompt = usage.prompt_tokens or 0
    completion = usage.completion_tokens or 0
    prompt_details = usage.prompt_tokens_details
    completion_details = usage.completion_tokens_details
    return Usage(
        input_tokens=prompt,
        output_tokens=completion,
        cache_read_tokens=(prompt_details.cached_tokens or 0) if prompt_details else 0,
        cache_write_tokens=(prompt_details.cache_write_tokens or 0) if prompt_details else 0,
        reasoning_tokens=(completion_details.reasoning_tokens or 0) if completion_details else 0,
        total_tokens=prompt + completion,
    )


def _parse_arguments(raw: str | None) -> tuple[dict[str, Any], str | None, str | None]:
    """(arguments, raw kept when unusable, what was wrong)."""
    if raw is None or not raw.strip():
        return {}, None, None
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return {}, raw, "not valid JSON"
    if not isinstance(value, dict):
        return {}, raw, f"a JSON {type(value).__name__}, not an object"
    return value, None, None


def decode_tool_call(
    wire: OpenAIToolCall | OpenAIFunctionCall, index: int, warnings: Warnings
) -> ToolCall | None:
    """One native call; arguments that are not a JSON object are kept raw with a warning."""
    if isinstance(wire, OpenAIToolCall):
        if wire.function is None:
            warnings.append(
                warning(
                    "response.unsupported_tool_call",
                    f"a tool call of type {wire.type!r} cannot be represented; it was skipped",
                    tool_call_id=wire.id,
                    tool_type=wire.type,
                )
            )
            return None
        call_id, function = wire.id, wire.function
    else:
        call_id, function = "", wire
    if not call_id:
        call_id = f"call_{index}"
        warnings.append(
            warning(
                "response.missing_tool_call_id",
                f"the provider gave tool call {index} no id; {call_id!r} was assigned",
                tool_call_id=call_id,
            )
        )
    arguments, raw, problem = _parse_arguments(function.arguments)
    if problem is not None:
        warnings.append(
            warning(
                "response.invalid_tool_arguments",
                f"arguments of tool call {call_id!r} ({function.name}) are {problem}; "
                "kept in raw_arguments",
                tool_call_id=call_id,
                name=function.name,
            )
        )
    return ToolCall(id=call_id, name=function.name, arguments=arguments, raw_arguments=raw)


def _content_text(content: str | list[Any] | None) -> str:
    if isinstance(content, str) or content is None:
        return content or ""
    return "".join(
        p["text"] for p in content if isinstance(p, dict) and isinstance(p.get("text"), str)
    )


def decode_message(
    message: OpenAIResponseMessage,
    *,
    provider: str,
    model: str,
    warnings: Warnings,
    reasoning: list[ReasoningPart] | None = None,
) -> tuple[list[ContentPart], bool]:
    """The canonical parts of an assistant message, and whether the model refused.

    ``reasoning``: parts a dialect decoded itself (OpenRouter's ``reasoning_details``); else
    a plain ``reasoning_content``/``reasoning`` string becomes one part.
    """
    parts: list[ContentPart] = []
    if reasoning is None:
        text = message.reasoning_content or message.reasoning
        reasoning = [ReasoningPart(text=text, provider=provider, model=model)] if text else []
    parts.extend(reasoning)
    text = _content_text(message.content)
    if text:
        parts.append(TextPart(text=text))
    refused = bool(message.refusal)
    if message.refusal:
        parts.append(TextPart(text=message.refusal))
        warnings.append(
            warning(
                "response.refusal",
                "the model refused; its refusal is the response text",
                refusal=message.refusal,
            )
        )
    calls: list[OpenAIToolCall | OpenAIFunctionCall] = list(message.tool_calls or [])
    if message.function_call is not None:
        calls.append(message.function_call)
    for index, wire in enumerate(calls):
        call = decode_tool_call(wire, index, warnings)
        if call is not None:
            parts.append(call)
    return parts, refused


def first_choice(choices: Sequence[T] | None, provider: str, body: bytes) -> T:
    """The answer's first choice (only one is ever requested)."""
    if not choices:
        excerpt = body_excerpt(body)
        raise ProviderError(
            ErrorKind.PROTOCOL, f"response has no choices: {excerpt}", provider=provider
        )
    return choices[0]


_response = msgspec.json.Decoder(OpenAIChatCompletion)


def decode_openai_response(
    body: bytes,
    *,
    provider: str,
    request_id: str | None = None,
    requested_model: str | None = None,
) -> ProviderResponse:
    """A 2xx Chat Completions body as a canonical response (``cost`` stays None).

    ``request_id`` (from the x-request-id header) wins over the body's ``id``. Reasoning parts
    record ``requested_model`` (the id handoff compares) when given, else the answer's model.
    """
    completion = parse_body(body, _response, provider=provider, what="chat completion")
    choice = first_choice(completion.choices, provider, body)
    model = completion.model or requested_model or ""
    warnings: Warnings = []
    parts, refused = decode_message(
        choice.message, provider=provider, model=requested_model or model, warnings=warnings
    )
    return ProviderResponse(
        provider=provider,
        model=model,
        output=AssistantOutput(content=parts),
        finish_reason=unify_finish(map_finish_reason(choice.finish_reason), parts, refused),
        finish_reason_raw=choice.finish_reason,
        usage=map_usage(completion.usage),
        warnings=warnings,
        request_id=request_id or completion.id,
    )


_models = msgspec.json.Decoder(OpenAIModelList)


def decode_openai_models(body: bytes, *, provider: str) -> list[ModelInfo]:
    """``GET /models``: ids only (OpenAI lists no limits or prices), sorted by id.

    vLLM's ``max_model_len`` extension becomes the context window.
    """
    listing = parse_body(body, _models, provider=provider, what="model list")
    models = {
        entry.id: ModelInfo(
            provider=provider, id=entry.id, context_window=entry.max_model_len, source="remote"
        )
        for entry in listing.data
        if entry.id
    }
    return [models[key] for key in sorted(models)]
