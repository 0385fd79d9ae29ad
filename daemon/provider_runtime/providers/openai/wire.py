"""The OpenAI Chat Completions JSON: tolerant msgspec Structs for what we read, TypedDicts for
the request body we send.

Follows https://platform.openai.com/docs/api-reference/chat/object. Every field read is
defaulted and unknown fields are ignored, so new provider fields and OpenAI-compatible servers
decode too. Request bodies stay plain dicts (encoded as they are) typed for the checker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, Required, TypedDict

import msgspec

__all__ = [
    "OpenAIChatCompletion",
    "OpenAIChatOptions",
    "OpenAIChatRequest",
    "OpenAIChoice",
    "OpenAICompletionTokensDetails",
    "OpenAIErrorBody",
    "OpenAIFunction",
    "OpenAIFunctionCall",
    "OpenAIJsonSchema",
    "OpenAIModel",
    "OpenAIModelList",
    "OpenAIPromptTokensDetails",
    "OpenAIResponseFormat",
    "OpenAIResponseMessage",
    "OpenAITool",
    "OpenAIToolCall",
    "OpenAIUsage",
]


class OpenAIFunctionCall(msgspec.Struct, kw_only=True):
    name: str = ""
    arguments: str | None = None


class OpenAIToolCall(msgspec.Struct, kw_only=True):
    id: str = ""
    type: str = "function"
    function: OpenAIFunctionCall | None = None
    custom: dict[str, Any] | None = None


class OpenAIResponseMessage(msgspec.Struct, kw_only=True):
    role: str = "assistant"
    # Official: string or null. Some compatible servers answer with a list of text parts.
    content: str | list[Any] | None = None
    refusal: str | None = None
    tool_calls: list[OpenAIToolCall] | None = None
    function_call: OpenAIFunctionCall | None = None  # deprecated single-call form
    # Not official: vLLM/DeepSeek send `reasoning_content`, Ollama/OpenRouter `reasoning`.
    reasoning_content: str | None = None
    reasoning: str | None = None


class OpenAIChoice(msgspec.Struct, kw_only=True):
    index: int = 0
    message: OpenAIResponseMessage = msgspec.field(default_factory=OpenAIResponseMessage)
    finish_reason: str | None = None


class OpenAIPromptTokensDetails(msgspec.Struct, kw_only=True):
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None


class OpenAICompletionTokensDetails(msgspec.Struct, kw_only=True):
    reasoning_tokens: int | None = None


class OpenAIUsage(msgspec.Struct, kw_only=True):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    prompt_tokens_details: OpenAIPromptTokensDetails | None = None
    completion_tokens_details: OpenAICompletionTokensDetails | None = None


class OpenAIChatCompletion(msgspec.Struct, kw_only=True):
    id: str | None = None
    object: str | None = None
    model: str | None = None
    choices: Sequence[OpenAIChoice] | None = None
    usage: OpenAIUsage | None = None


class OpenAIErrorBody(msgspec.Struct, kw_only=True):
    """``{"error": {...}}``; compatible servers also use ``{"error": "text"}``, a top-level
    ``message``/``code``/``type`` (vLLM) or FastAPI's ``detail``. Fields are untyped on purpose:
    a server's odd value must not hide its message."""

    error: Any = None
    message: Any = None
    detail: Any = None
    code: Any = None
    type: Any = None


class OpenAIModel(msgspec.Struct, kw_only=True):
    id: str = ""
    owned_by: str | None = None
    max_model_len: int | None = None  # vLLM extension: the served context window


class OpenAIModelList(msgspec.Struct, kw_only=True):
    data: list[OpenAIModel] = []


# --------------------------------------------------------------------------- what we send
# https://platform.openai.com/docs/api-reference/chat/create


class OpenAIFunction(TypedDict, total=False):
    name: Required[str]
    description: str
    parameters: dict[str, Any]
    strict: bool


class OpenAITool(TypedDict, total=False):
    type: Required[Literal["function"]]
    function: Required[OpenAIFunction]
    cache_control: dict[str, Any]  # OpenRouter's Anthropic-style cache marker


class OpenAIJsonSchema(TypedDict, total=False):
    name: Required[str]
    description: str
    schema: dict[str, Any]
    strict: bool


class OpenAIResponseFormat(TypedDict, total=False):
    type: Required[Literal["text", "json_object", "json_schema"]]
    json_schema: OpenAIJsonSchema


class OpenAIChatOptions(TypedDict, total=False):
    """Every optional member of the body; the encoder's steps each return some of them."""

    max_tokens: int
    max_completion_tokens: int
    temperature: float
    top_p: float
    stop: list[str]
    reasoning_effort: str
    reasoning: dict[str, Any]  # OpenRouter's reasoning object
    response_format: OpenAIResponseFormat
    tools: list[OpenAITool]
    tool_choice: str | dict[str, Any]
    metadata: dict[str, str]
    store: bool
    prompt_cache_key: str
    prompt_cache_retention: str
    prompt_cache_options: dict[str, Any]


class OpenAIChatRequest(OpenAIChatOptions, total=False):
    """The ``POST /chat/completions`` body (``messages`` in the API's message shapes)."""

    model: Required[str]
    messages: Required[list[dict[str, Any]]]
