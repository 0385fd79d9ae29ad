"""The Anthropic Messages API JSON: tolerant msgspec Structs for what the decoders read,
TypedDicts for the request body the encoder sends.

Follows https://docs.claude.com/en/api/messages and /en/api/models-list. Every field read has a
default and unknown fields are ignored, because Anthropic adds fields and block types often.
"""

from __future__ import annotations

from typing import Any, Required, TypedDict

import msgspec

__all__ = [
    "AnthropicContentBlock",
    "AnthropicError",
    "AnthropicErrorBody",
    "AnthropicMessage",
    "AnthropicMessagesOptions",
    "AnthropicMessagesRequest",
    "AnthropicModel",
    "AnthropicModelList",
    "AnthropicTool",
    "AnthropicUsage",
]


class AnthropicContentBlock(msgspec.Struct, kw_only=True):
    """Any content block; which fields matter depends on ``type``.

    One flat struct (not a tagged union) so that a block type added later decodes instead of
    failing the whole response.
    """

    type: str = ""
    text: str | None = None
    citations: list[Any] | None = None
    thinking: str | None = None
    signature: str | None = None
    data: str | None = None
    id: str | None = None
    name: str | None = None
    input: Any = None


class AnthropicCacheCreation(msgspec.Struct, kw_only=True):
    ephemeral_5m_input_tokens: int | None = None
    ephemeral_1h_input_tokens: int | None = None


class AnthropicUsage(msgspec.Struct, kw_only=True):
    """``input_tokens`` is the UNCACHED part of the prompt; the cache counts are separate."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_creation: AnthropicCacheCreation | None = None  # the writes split by cache lifetime


class AnthropicMessage(msgspec.Struct, kw_only=True):
    id: str | None = None
    type: str | None = None
    role: str | None = None
    content: list[AnthropicContentBlock] | None = None
    model: str | None = None
    stop_reason: str | None = None
    stop_sequence: str | None = None
    usage: AnthropicUsage | None = None


class AnthropicError(msgspec.Struct, kw_only=True):
    type: str | None = None
    message: str | None = None


class AnthropicErrorBody(msgspec.Struct, kw_only=True):
    """``{"type": "error", "error": {"type", "message"}, "request_id"}``."""

    type: str | None = None
    error: AnthropicError | None = None
    request_id: str | None = None


class AnthropicModel(msgspec.Struct, kw_only=True):
    id: str | None = None
    type: str | None = None
    display_name: str | None = None
    created_at: str | None = None


class AnthropicModelList(msgspec.Struct, kw_only=True):
    """One page of ``GET /v1/models``; ``has_more`` with ``last_id`` gives the next cursor."""

    data: list[AnthropicModel] | None = None
    has_more: bool = False
    first_id: str | None = None
    last_id: str | None = None


# --------------------------------------------------------------------------- what we send
# https://docs.claude.com/en/api/messages (request body)


class AnthropicTool(TypedDict, total=False):
    name: Required[str]
    description: str
    input_schema: Required[dict[str, Any]]
    strict: bool
    cache_control: dict[str, Any]


class AnthropicMessagesOptions(TypedDict, total=False):
    """Every optional member of the body."""

    system: str | list[dict[str, Any]]  # text blocks when one carries a cache marker
    tools: list[AnthropicTool]
    tool_choice: dict[str, Any]
    thinking: dict[str, Any]
    output_config: dict[str, Any]
    temperature: float
    top_p: float
    stop_sequences: list[str]
    metadata: dict[str, str]


class AnthropicMessagesRequest(AnthropicMessagesOptions, total=False):
    """The ``POST /v1/messages`` body (``messages`` in the API's content-block shapes)."""

    model: Required[str]
    max_tokens: Required[int]
    messages: Required[list[dict[str, Any]]]
