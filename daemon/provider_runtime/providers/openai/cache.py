"""Cache intent -> Chat Completions fields (pure), for every OpenAI-style endpoint.

OpenAI (https://developers.openai.com/api/docs/guides/prompt-caching; spec ``openai.json``):
``prompt_cache_key``; ``prompt_cache_retention: "24h"`` for extended retention;
``prompt_cache_options: {"mode": "explicit"}`` to turn implicit caching off; a breakpoint is
``prompt_cache_breakpoint: {"mode": "explicit"}`` on the text, image or tool-result text part
before it. OpenRouter and servers with the ``cache_control`` quirk take Anthropic's form,
``cache_control: {"type": "ephemeral"}`` on text parts and on the last tool
(https://openrouter.ai/docs/guides/best-practices/prompt-caching). What the target honours was
decided by the runtime's capability pass; this module only writes it.
"""

from __future__ import annotations

from typing import Any

from ...core.types import (
    ContentPart,
    ImagePart,
    Message,
    MessageRole,
    ProviderRequest,
    ToolResult,
)
from ..cache import CachePlacement, has_text, place_breakpoints
from .dialect import OpenAIDialect
from .wire import OpenAIChatOptions

# The Responses API takes the same request-level fields (``CreateModelResponseProperties``).

__all__ = ["cache_marker", "encode_cache_options", "openai_cache_placement"]


def openai_cache_placement(
    request: ProviderRequest, dialect: OpenAIDialect, *, assistant_text: bool = True
) -> CachePlacement:
    """Which parts (or the last tool) carry the request's breakpoints for ``dialect``.

    ``assistant_text``: assistant text can carry a marker (Chat Completions' text parts; the
    Responses API's assistant messages hold output text, which has no marker)."""
    anthropic_style = dialect.cache_marker == "cache_control"

    def markable(message: Message, part: ContentPart) -> bool:
        if isinstance(part, ToolResult):
            return message.role != MessageRole.ASSISTANT
        if isinstance(part, ImagePart):  # OpenRouter marks text parts only
            return message.role == MessageRole.USER and not anthropic_style
        if message.role == MessageRole.ASSISTANT and not assistant_text:
            return False
        return has_text(part) and message.role != MessageRole.TOOL

    return place_breakpoints(
        request.messages,
        markable=markable,
        tools=anthropic_style and bool(request.tools),  # OpenAI tools carry no marker
        system_first=False,
        provider=dialect.provider,
    )


def cache_marker(dialect: OpenAIDialect, ttl: str | None) -> dict[str, Any]:
    """The fields that mark a content part (or tool) as the end of a cached prefix."""
    if ttl is None or dialect.cache_marker == "none":
        return {}
    if dialect.cache_marker == "prompt_cache_breakpoint":
        return {"prompt_cache_breakpoint": {"mode": "explicit"}}
    control = {"type": "ephemeral"} if ttl == "5m" else {"type": "ephemeral", "ttl": ttl}
    return {"cache_control": control}


def encode_cache_options(request: ProviderRequest) -> OpenAIChatOptions:
    """``prompt_cache_key`` and the retention fields, as the capability pass left them."""
    out: OpenAIChatOptions = {}
    if request.cache_key is not None:
        out["prompt_cache_key"] = request.cache_key
    if request.cache_retention == "extended":
        out["prompt_cache_retention"] = "24h"
    elif request.cache_retention == "none":
        out["prompt_cache_options"] = {"mode": "explicit"}  # only explicit breakpoints cache
    return out
