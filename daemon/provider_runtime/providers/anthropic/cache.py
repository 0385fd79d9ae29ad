"""Cache breakpoints -> Anthropic ``cache_control`` markers (pure).

Follows https://platform.claude.com/docs/en/build-with-claude/prompt-caching: a marker
``{"type": "ephemeral"}`` (``"ttl": "1h"`` for an hour; 5 minutes is the default and is left
out) on the block that ends the cached prefix: a system text block, a message content block, a
tool result, or the last tool definition. Thinking blocks and empty text cannot carry one.
"""

from __future__ import annotations

from typing import Any

from ...core.types import (
    ContentPart,
    ImagePart,
    Message,
    MessageRole,
    ProviderRequest,
    ToolCall,
    ToolResult,
)
from ..cache import CachePlacement, has_text, place_breakpoints

__all__ = ["anthropic_cache_placement", "cache_control", "mark_block"]


def anthropic_cache_placement(request: ProviderRequest, *, tools: bool) -> CachePlacement:
    """Where the request's breakpoints go (``tools``: the body will hold tool definitions)."""
    return place_breakpoints(
        request.messages, markable=_markable, tools=tools, system_first=True, provider="Anthropic"
    )


def cache_control(ttl: str) -> dict[str, Any]:
    return {"type": "ephemeral"} if ttl == "5m" else {"type": "ephemeral", "ttl": ttl}


def mark_block(block: dict[str, Any], ttl: str | None) -> dict[str, Any]:
    """``block`` with a ``cache_control`` marker when ``ttl`` is given (in place)."""
    if ttl is not None:
        block["cache_control"] = cache_control(ttl)
    return block


def _markable(message: Message, part: ContentPart) -> bool:
    """Whether the encoder turns this part into a block that may carry ``cache_control``."""
    if has_text(part):
        return True
    if message.role == MessageRole.SYSTEM:
        return False  # a system prompt holds text only
    if message.role == MessageRole.ASSISTANT:
        return isinstance(part, ImagePart | ToolCall)
    return isinstance(part, ImagePart | ToolResult)
