"""Tolerant msgspec Structs for the OpenAI Chat Completions JSON we read.

Follows https://platform.openai.com/docs/api-reference/chat/object. Every field is defaulted and
unknown fields are ignored, so new provider fields and OpenAI-compatible servers decode too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

__all__ = [
    "ChatCompletion",
    "Choice",
    "CompletionTokensDetails",
    "ErrorEnvelope",
    "FunctionCall",
    "ModelEntry",
    "ModelList",
    "PromptTokensDetails",
    "ResponseMessage",
    "ToolCallWire",
    "UsageWire",
]


class FunctionCall(msgspec.Struct, kw_only=True):
    name: str = ""
    arguments: str | None = None


class ToolCallWire(msgspec.Struct, kw_only=True):
    id: str = ""
    type: str = "function"
    function: FunctionCall | None = None
    custom: dict[str, Any] | None = None


class ResponseMessage(msgspec.Struct, kw_only=True):
    role: str = "assistant"
    # Official: string or null. Some compatible servers answer with a list of text parts.
    content: str | list[Any] | None = None
    refusal: str | None = None
    tool_calls: list[ToolCallWire] | None = None
    function_call: FunctionCall | None = None  # deprecated single-call form
    # Not official: vLLM/DeepSeek send `reasoning_content`, Ollama/OpenRouter `reasoning`.
    reasoning_content: str | None = None
    reasoning: str | None = None


class Choice(msgspec.Struct, kw_only=True):
    index: int = 0
    message: ResponseMessage = msgspec.field(default_factory=ResponseMessage)
    finish_reason: str | None = None


class PromptTokensDetails(msgspec.Struct, kw_only=True):
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None


class CompletionTokensDetails(msgspec.Struct, kw_only=True):
    reasoning_tokens: int | None = None


class UsageWire(msgspec.Struct, kw_only=True):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None


class ChatCompletion(msgspec.Struct, kw_only=True):
    id: str | None = None
    object: str | None = None
    model: str | None = None
    choices: Sequence[Choice] | None = None
    usage: UsageWire | None = None


class ErrorEnvelope(msgspec.Struct, kw_only=True):
    """``{"error": {...}}``; compatible servers also use ``{"error": "text"}`` or ``detail``."""

    error: dict[str, Any] | str | None = None
    message: str | None = None
    detail: Any = None


class ModelEntry(msgspec.Struct, kw_only=True):
    id: str = ""
    owned_by: str | None = None
    max_model_len: int | None = None  # vLLM extension: the served context window


class ModelList(msgspec.Struct, kw_only=True):
    data: list[ModelEntry] = []
