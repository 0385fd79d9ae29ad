"""Cache breakpoints -> Bedrock Converse ``cachePoint`` blocks (pure).

Follows https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html and the service
model's ``CachePointBlock`` (``{"type": "default", "ttl": "5m" | "1h"}``): a cache checkpoint
is its own block, placed right after the system block, message block or tool definition that
ends the cached prefix (prompt order: tools, system, messages). Reasoning blocks and blank text
cannot end one; a breakpoint inside a system message follows that message's one text block.
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

__all__ = ["bedrock_cache_placement", "cache_point"]


def bedrock_cache_placement(request: ProviderRequest) -> CachePlacement:
    return place_breakpoints(
        request.messages,
        markable=_markable,
        tools=bool(request.tools),
        system_first=True,
        provider="Bedrock",
    )


def cache_point(ttl: str) -> dict[str, Any]:
    point = {"type": "default"} if ttl == "5m" else {"type": "default", "ttl": ttl}
    return {"cachePoint": point}


def _markable(message: Message, part: ContentPart) -> bool:
    if has_text(part):
        return True
    if message.role == MessageRole.SYSTEM:
        return False
    if message.role == MessageRole.ASSISTANT:
        return isinstance(part, ImagePart | ToolCall)
    return isinstance(part, ImagePart | ToolResult)
