"""The Responses API JSON: tolerant msgspec Structs for the ``Response`` object we read, and
TypedDicts for the ``CreateResponse`` body we send.

Follows https://platform.openai.com/docs/api-reference/responses/object. Every field read is
defaulted and unknown fields are ignored, so new item types and fields decode too.
"""

from __future__ import annotations

from typing import Any, Literal, Required, TypedDict

import msgspec

__all__ = [
    "ResponsesBody",
    "ResponsesContent",
    "ResponsesError",
    "ResponsesIncomplete",
    "ResponsesInputTokens",
    "ResponsesItem",
    "ResponsesObject",
    "ResponsesOptions",
    "ResponsesOutputTokens",
    "ResponsesReasoningItem",
    "ResponsesSummary",
    "ResponsesTool",
    "ResponsesUsage",
]


class ResponsesContent(msgspec.Struct, kw_only=True):
    """One part of an output message: ``output_text`` (``text``) or ``refusal``."""

    type: str = ""
    text: str | None = None
    refusal: str | None = None


class ResponsesSummary(msgspec.Struct, kw_only=True):
    type: str = "summary_text"
    text: str = ""


class ResponsesItem(msgspec.Struct, kw_only=True):
    """One output item; which fields are set depends on ``type`` (message, function_call,
    reasoning, or a built-in tool's item, which is only reported)."""

    type: str = ""
    id: str | None = None
    status: str | None = None
    role: str | None = None
    content: list[ResponsesContent] | None = None
    call_id: str | None = None
    name: str | None = None
    arguments: str | None = None
    summary: list[ResponsesSummary] | None = None
    encrypted_content: str | None = None


class ResponsesIncomplete(msgspec.Struct, kw_only=True):
    reason: str | None = None


class ResponsesError(msgspec.Struct, kw_only=True):
    code: str | None = None
    message: str | None = None


class ResponsesInputTokens(msgspec.Struct, kw_only=True):
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None


class ResponsesOutputTokens(msgspec.Struct, kw_only=True):
    reasoning_tokens: int | None = None


class ResponsesUsage(msgspec.Struct, kw_only=True):
    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    input_tokens_details: ResponsesInputTokens | None = None
    output_tokens_details: ResponsesOutputTokens | None = None


class ResponsesObject(msgspec.Struct, kw_only=True):
    """The ``Response`` a ``POST /responses`` returns."""

    id: str | None = None
    object: str | None = None
    model: str | None = None
    status: str | None = None
    incomplete_details: ResponsesIncomplete | None = None
    error: ResponsesError | None = None
    output: list[ResponsesItem] | None = None
    usage: ResponsesUsage | None = None


# --------------------------------------------------------------------------- what we send
# https://platform.openai.com/docs/api-reference/responses/create


class ResponsesTool(TypedDict, total=False):
    type: Required[Literal["function"]]
    name: Required[str]
    description: str
    parameters: dict[str, Any]
    strict: bool


class ResponsesReasoningItem(TypedDict):
    """A reasoning item sent back (the spec's ``ReasoningItem``: ``id``, ``summary``, ``type``
    required; ``encrypted_content`` is what makes it usable without ``store``)."""

    type: Literal["reasoning"]
    id: str
    summary: list[dict[str, str]]
    encrypted_content: str


class ResponsesOptions(TypedDict, total=False):
    """Every optional member of the body; the encoder's steps each return some of them."""

    max_output_tokens: int
    temperature: float
    top_p: float
    reasoning: dict[str, str]
    text: dict[str, Any]
    tools: list[ResponsesTool]
    tool_choice: str | dict[str, str]
    metadata: dict[str, str]
    include: list[str]
    prompt_cache_key: str
    prompt_cache_retention: str
    prompt_cache_options: dict[str, Any]


class ResponsesBody(ResponsesOptions, total=False):
    """The ``POST /responses`` body: always ``store: false`` (stateless)."""

    model: Required[str]
    input: Required[list[dict[str, Any]]]
    store: Required[bool]
