"""What one OpenAI-style Chat Completions endpoint accepts (official API, OpenRouter, or a server).

The translator is shared; an ``OpenAIDialect`` value carries every difference between endpoints,
so a new OpenAI-compatible server needs configuration (``OpenAICompatQuirks``), not code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ...core.types import CacheSupport
from ..warnings import warning
from .quirks import OpenAICompatQuirks

__all__ = [
    "OPENAI_CACHE",
    "OPENAI_DIALECT",
    "CacheMarker",
    "OpenAIDialect",
    "is_reasoning_family",
    "warning",
]

# OpenAI's reasoning model families: they take `developer` messages and reject sampling knobs
# (temperature/top_p other than the default, and `stop`). gpt-5-chat* is a non-reasoning model.
_REASONING_FAMILY = re.compile(r"^(?:o1|o3|o4)(?:-|$)|^gpt-5(?!-chat)(?:[.-]|$)")


def is_reasoning_family(model: str) -> bool:
    """True for OpenAI reasoning models (o1*, o3*, o4*, gpt-5* except gpt-5-chat*)."""
    return _REASONING_FAMILY.match(model) is not None


# What OpenAI's models honour of the cache intent, newest rule first (the first match applies).
# https://developers.openai.com/api/docs/guides/prompt-caching and spec `openai.json`
# (`PromptCacheBreakpointParam`, `PromptCacheOptionsParam`, `prompt_cache_retention`):
# GPT-5.6 and later take explicit breakpoints (a 30m minimum lifetime; reads use the latest 50)
# and `prompt_cache_options.mode: explicit` turns implicit caching off; older models reject both.
# Extended (24h) retention is offered for the models the guide lists; every model takes
# `prompt_cache_key`.
_DATED = r"(?:-\d{4}-\d{2}-\d{2})?$"
OPENAI_CACHE: tuple[CacheSupport, ...] = (
    CacheSupport(
        models=r"^gpt-(?:5\.(?:[6-9]|[1-9]\d)|[6-9](?:\.\d+)?)(?:[.-]|$)",
        breakpoints=50,
        ttls=("5m",),
        cache_key=True,
        retention=("none",),
    ),
    CacheSupport(
        models=r"^(?:gpt-5\.5(?:-pro)?|gpt-5\.4|gpt-5\.2|gpt-5\.1(?:-codex(?:-max|-mini)?"
        r"|-chat-latest)?|gpt-5(?:-codex)?|gpt-4\.1)" + _DATED,
        cache_key=True,
        retention=("extended",),
    ),
    CacheSupport(cache_key=True),
)

# How an endpoint marks a cache breakpoint on a content part: OpenAI's
# `prompt_cache_breakpoint`, Anthropic-style `cache_control` (OpenRouter, LiteLLM), or not at all.
CacheMarker = Literal["prompt_cache_breakpoint", "cache_control", "none"]


@dataclass(frozen=True, slots=True)
class OpenAIDialect:
    """The switches that separate one OpenAI-style endpoint from another.

    ``official``: apply OpenAI's per-model-family rules (developer role, no sampling knobs for
    reasoning models). ``metadata``: ``"drop"`` warns and omits it, ``"send"`` sends it,
    ``"store"`` sends it with ``store: true`` (OpenAI accepts metadata only for stored
    completions). ``max_stop_sequences``: None when the endpoint sets no limit we know of.
    ``reasoning_content_replay``: which assistant reasoning goes back (``reasoning_content.py``).
    """

    provider: str = "openai"
    official: bool = True
    developer_role: bool = False
    max_tokens_field: Literal["max_tokens", "max_completion_tokens"] = "max_completion_tokens"
    supports_tools: bool = True
    supports_vision: bool = True
    supports_json_schema: bool = True
    supports_json_mode: bool = True
    supports_stop: bool = True
    supports_reasoning: bool = True
    reasoning_model_pattern: str | None = None
    metadata: Literal["drop", "send", "store"] = "drop"
    max_stop_sequences: int | None = 4
    cache: tuple[CacheSupport, ...] = OPENAI_CACHE
    cache_marker: CacheMarker = "prompt_cache_breakpoint"
    tool_call_id_pattern: str | None = None
    tool_call_id_max_length: int | None = 64  # OpenAI rejects longer tool call ids
    reasoning_content_replay: Literal["none", "tool_turns"] = "none"

    @classmethod
    def from_quirks(cls, quirks: OpenAICompatQuirks, *, provider: str) -> OpenAIDialect:
        """The dialect of an OpenAI-compatible server declared in the config."""
        return cls(
            provider=provider,
            official=False,
            developer_role=quirks.developer_role,
            max_tokens_field=quirks.max_tokens_field,
            supports_tools=quirks.supports_tools,
            supports_vision=quirks.supports_vision,
            supports_json_schema=quirks.supports_json_schema,
            supports_json_mode=quirks.supports_json_mode,
            supports_stop=quirks.supports_stop,
            supports_reasoning=quirks.supports_reasoning,
            reasoning_model_pattern=quirks.reasoning_model_pattern,
            metadata="drop",
            max_stop_sequences=None,
            cache=(_compat_cache(quirks),),
            cache_marker="cache_control" if quirks.cache_control else "none",
            tool_call_id_pattern=quirks.tool_call_id_pattern,
            tool_call_id_max_length=quirks.tool_call_id_max_length,
            reasoning_content_replay=quirks.reasoning_content_replay,
        )

    def system_role(self, model: str) -> str:
        if self.official:
            return "developer" if is_reasoning_family(model) else "system"
        return "developer" if self.developer_role else "system"

    def restricts_sampling(self, model: str) -> bool:
        return self.official and is_reasoning_family(model)


def _compat_cache(quirks: OpenAICompatQuirks) -> CacheSupport:
    """A compatible server honours no cache control unless its quirks say so."""
    if not quirks.cache_control:
        return CacheSupport(cache_key=quirks.cache_key)
    return CacheSupport(
        breakpoints=4, ttls=("5m", "1h"), cache_key=quirks.cache_key, longer_ttl_first=True
    )


OPENAI_DIALECT = OpenAIDialect()
