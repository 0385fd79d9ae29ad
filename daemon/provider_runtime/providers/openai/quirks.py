"""How an OpenAI-compatible server departs from OpenAI's Chat Completions API (config data).

The config's ``[providers.<id>.quirks]`` table decodes into this type; ``OpenAIDialect`` turns it
into the translator's switches. It lives with the provider, and the config imports it.
"""

from __future__ import annotations

from typing import Literal

import msgspec

__all__ = ["OpenAICompatQuirks"]


class OpenAICompatQuirks(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How an OpenAI-compatible server departs from OpenAI's Chat Completions API."""

    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = (
        "max_tokens"  # what every compatible server takes
    )
    developer_role: bool = False  # send system prompts as role "developer"
    supports_tools: bool = True
    supports_vision: bool = True
    supports_json_schema: bool = True
    supports_json_mode: bool = True
    supports_stop: bool = True
    supports_reasoning: bool = True  # false: `reasoning` is not sent (LiteLLM answers 400)
    # The model ids (a regular expression matched from the start) that take `reasoning_effort`;
    # the others get `capability.reasoning_removed`. None: every model.
    reasoning_model_pattern: str | None = None
    requires_api_key: bool = False
    cache_key: bool = False  # pass `cache_key` on as `prompt_cache_key`
    cache_control: bool = False  # Anthropic-style `cache_control` on text parts (LiteLLM proxy)
    # What tool-call ids the server accepts; handoff rewrites others (results follow). Mistral:
    # exactly 9 letters or digits ("Tool call id was ... but must be a-z, A-Z, 0-9, with a
    # length of 9").
    tool_call_id_pattern: str | None = None
    tool_call_id_max_length: int | None = 64
    # Which assistant reasoning goes back as `reasoning_content` (the same provider and model's
    # only): "none", or "tool_turns", that of every turn (between two user messages) in which
    # the model called a tool (DeepSeek's thinking mode requires it; other turns' is dropped).
    reasoning_content_replay: Literal["none", "tool_turns"] = "none"
