"""Azure Chat Completions answers: OpenAI's decoding plus the content filter's verdict.

A choice Azure's filter stopped (finish reason ``content_filter``, or a category marked
``filtered``) gets the canonical content-filter finish reason and a ``response.content_filter``
warning naming the categories (protocol.md §6 "Azure OpenAI").
"""

from __future__ import annotations

from typing import Any

import msgspec

from ...core.types import FinishReason, ProviderResponse
from ..openai.decode import decode_openai_response
from ..openai.responses.decode import decode_responses_response
from ..warnings import warning
from .wire import AzureCompletion

__all__ = ["decode_azure_chat", "decode_azure_responses", "filtered_categories"]

_filters = msgspec.json.Decoder(AzureCompletion)


def filtered_categories(results: dict[str, Any]) -> list[str]:
    """The categories marked ``filtered`` in one ``content_filter_results`` object, sorted."""
    return sorted(
        name
        for name, verdict in results.items()
        if isinstance(verdict, dict) and verdict.get("filtered") is True
    )


def decode_azure_chat(
    body: bytes, *, provider: str, request_id: str | None, requested_model: str | None
) -> ProviderResponse:
    response = decode_openai_response(
        body, provider=provider, request_id=request_id, requested_model=requested_model
    )
    try:
        answer = _filters.decode(body)
    except msgspec.DecodeError:  # OpenAI's decoder read it; Azure's extras are only extras
        return response
    choice = answer.choices[0] if answer.choices else None
    output = filtered_categories(choice.content_filter_results) if choice else []
    prompt = sorted(
        {
            c
            for p in answer.prompt_filter_results
            for c in filtered_categories(p.content_filter_results)
        }
    )
    if not output and not prompt and response.finish_reason_raw != "content_filter":
        return response
    return _filtered(response, provider, output, prompt)


def decode_azure_responses(
    body: bytes, *, provider: str, request_id: str | None, requested_model: str | None
) -> ProviderResponse:
    """A Responses answer: OpenAI's decoding; `incomplete_details.reason` `content_filter`
    (Azure's filter stopped it; the Responses body names no category) adds the warning."""
    response = decode_responses_response(
        body, provider=provider, request_id=request_id, requested_model=requested_model
    )
    if response.finish_reason_raw != "content_filter":
        return response
    return _filtered(response, provider, [], [])


def _filtered(
    response: ProviderResponse, provider: str, output: list[str], prompt: list[str]
) -> ProviderResponse:
    named = ", ".join(output or prompt) or "no category named"
    note = warning(
        "response.content_filter",
        f"{provider}: Azure's content filter stopped the answer ({named})",
        categories=output,
        prompt_categories=prompt,
    )
    return msgspec.structs.replace(
        response,
        finish_reason=FinishReason.CONTENT_FILTER,
        warnings=[*response.warnings, note],
    )
