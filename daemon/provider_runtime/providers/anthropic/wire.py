"""Tolerant msgspec Structs for the Anthropic Messages API JSON that the decoders read.

Follows https://docs.claude.com/en/api/messages and /en/api/models-list. Every field has a
default and unknown fields are ignored, because Anthropic adds fields and block types often.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = [
    "WireContentBlock",
    "WireError",
    "WireErrorBody",
    "WireMessage",
    "WireModel",
    "WireModelList",
    "WireUsage",
]


class WireContentBlock(msgspec.Struct, kw_only=True):
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


class WireCacheCreation(msgspec.Struct, kw_only=True):
    ephemeral_5m_input_tokens: int | None = None
    ephemeral_1h_input_tokens: int | None = None


class WireUsage(msgspec.Struct, kw_only=True):
    """``input_tokens`` is the UNCACHED part of the prompt; the cache counts are separate."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    cache_creation_input_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_creation: WireCacheCreation | None = None  # the writes split by cache lifetime


class WireMessage(msgspec.Struct, kw_only=True):
    id: str | None = None
    type: str | None = None
    role: str | None = None
    content: list[WireContentBlock] | None = None
    model: str | None = None
    stop_reason: str | None = None
    stop_sequence: str | None = None
    usage: WireUsage | None = None


class WireError(msgspec.Struct, kw_only=True):
    type: str | None = None
    message: str | None = None


class WireErrorBody(msgspec.Struct, kw_only=True):
    """``{"type": "error", "error": {"type", "message"}, "request_id"}``."""

    type: str | None = None
    error: WireError | None = None
    request_id: str | None = None


class WireModel(msgspec.Struct, kw_only=True):
    id: str | None = None
    type: str | None = None
    display_name: str | None = None
    created_at: str | None = None


class WireModelList(msgspec.Struct, kw_only=True):
    """One page of ``GET /v1/models``; ``has_more`` with ``last_id`` gives the next cursor."""

    data: list[WireModel] | None = None
    has_more: bool = False
    first_id: str | None = None
    last_id: str | None = None
