"""``Response`` object -> canonical ``ProviderResponse``. Pure.

Follows https://platform.openai.com/docs/api-reference/responses/object. The finish reason's
raw value is ``incomplete_details.reason`` when ``status`` is ``incomplete``, else ``status``
(``FINISH_REASONS`` maps it). Reasoning items become ``reasoning`` parts that can be replayed
byte for byte: one part per summary text (at least one per item), each holding the item id in
``signature``; the first also holds the ``encrypted_content`` in ``data``.
"""

from __future__ import annotations

import msgspec

from ....core.types import (
    AssistantOutput,
    ContentPart,
    FinishReason,
    ProviderResponse,
    ProviderRuntimeWarning,
    ReasoningPart,
    TextPart,
    Usage,
)
from ...warnings import warning
from ..decode import decode_tool_call as _decode_tool_call
from ..decode import map_finish_reason, parse_body, unify_finish
from ..wire import OpenAIFunctionCall, OpenAIToolCall
from .wire import ResponsesItem, ResponsesObject, ResponsesUsage

__all__ = ["FINISH_REASONS", "decode_responses_response", "map_responses_usage"]

FINISH_REASONS: dict[str, FinishReason] = {
    "completed": FinishReason.STOP,
    "max_output_tokens": FinishReason.LENGTH,  # incomplete_details.reason
    "content_filter": FinishReason.CONTENT_FILTER,  # incomplete_details.reason
    "failed": FinishReason.ERROR,
    "cancelled": FinishReason.OTHER,
}

Warnings = list[ProviderRuntimeWarning]
_response = msgspec.json.Decoder(ResponsesObject)


def map_responses_usage(usage: ResponsesUsage | None) -> Usage:
    """``input_tokens`` already counts the cached ones; ``reasoning_tokens`` are part of the
    output, as the canonical meanings have them."""
    if usage is None:
        return Usage()
    given = usage.input_tokens or 0
    output = usage.output_tokens or 0
    inputs = usage.input_tokens_details
    outputs = usage.output_tokens_details
    return Usage(
        input_tokens=given,
        output_tokens=output,
        cache_read_tokens=(inputs.cached_tokens or 0) if inputs else 0,
        cache_write_tokens=(inputs.cache_write_tokens or 0) if inputs else 0,
        reasoning_tokens=(outputs.reasoning_tokens or 0) if outputs else 0,
        total_tokens=usage.total_tokens if usage.total_tokens is not None else given + output,
    )


def _raw_finish(response: ResponsesObject) -> str | None:
    details = response.incomplete_details
    if response.status == "incomplete" and details is not None and details.reason:
        return details.reason
    return response.status


class _Decoder:
    def __init__(self, provider: str, model: str) -> None:
        self.provider = provider
        self.model = model
        self.parts: list[ContentPart] = []
        self.warnings: Warnings = []
        self.refused = False
        self.calls = 0

    def item(self, item: ResponsesItem) -> None:
        if item.type == "message":
            self.message(item)
        elif item.type == "function_call":
            self.function_call(item)
        elif item.type == "reasoning":
            self.reasoning(item)
        else:
            self.warnings.append(
                warning(
                    "response.unsupported_item",
                    f"an output item of type {item.type!r} (a built-in tool's, not requested) "
                    "cannot be represented; it was skipped",
                    item_type=item.type,
                    item_id=item.id,
                )
            )

    def message(self, item: ResponsesItem) -> None:
        for content in item.content or []:
            if content.type == "output_text" and content.text:
                self.parts.append(TextPart(text=content.text))
            elif content.type == "refusal" and content.refusal:
                self.refused = True
                self.parts.append(TextPart(text=content.refusal))
                self.warnings.append(
                    warning(
                        "response.refusal",
                        "the model refused; its refusal is the response text",
                        refusal=content.refusal,
                    )
                )

    def function_call(self, item: ResponsesItem) -> None:
        wire = OpenAIToolCall(
            id=item.call_id or "",
            function=OpenAIFunctionCall(name=item.name or "", arguments=item.arguments),
        )
        call = _decode_tool_call(wire, self.calls, self.warnings)
        self.calls += 1
        if call is not None:
            self.parts.append(call)

    def reasoning(self, item: ResponsesItem) -> None:
        texts = [s.text for s in item.summary or []] or [""]
        for i, text in enumerate(texts):
            self.parts.append(
                ReasoningPart(
                    text=text,
                    signature=item.id,
                    data=item.encrypted_content if i == 0 else None,
                    provider=self.provider,
                    model=self.model,
                )
            )


def decode_responses_response(
    body: bytes,
    *,
    provider: str,
    request_id: str | None = None,
    requested_model: str | None = None,
) -> ProviderResponse:
    """A 2xx ``Response`` body as a canonical response (``cost`` stays None).

    ``request_id`` (the x-request-id header) wins over the body's ``id``. Reasoning parts record
    ``requested_model`` (the id handoff compares) when given, else the answer's model.
    """
    response = parse_body(body, _response, provider=provider, what="response")
    model = response.model or requested_model or ""
    decoder = _Decoder(provider, requested_model or model)
    for item in response.output or []:
        decoder.item(item)
    if response.status == "failed" and response.error is not None:
        decoder.warnings.append(
            warning(
                "response.failed",
                f"the response failed: {response.error.message or 'no message'}",
                error_code=response.error.code,
            )
        )
    raw = _raw_finish(response)
    finish = unify_finish(map_finish_reason(raw, FINISH_REASONS), decoder.parts, decoder.refused)
    return ProviderResponse(
        provider=provider,
        model=model,
        output=AssistantOutput(content=decoder.parts),
        finish_reason=finish,
        finish_reason_raw=raw,
        usage=map_responses_usage(response.usage),
        warnings=decoder.warnings,
        request_id=request_id or response.id,
    )
