"""Canonical messages -> Anthropic ``system`` and ``messages`` (pure).

Follows https://docs.claude.com/en/api/messages: system prompt at top level, user/assistant
turns that alternate, tool results as ``tool_result`` blocks at the start of a user turn (the
fold into turns is ``providers/turns.py``'s, shared with Bedrock; the blocks are this module's).
"""

from __future__ import annotations

from typing import Any

from ...core.types import (
    CacheBreakpoint,
    ImagePart,
    Message,
    MessageRole,
    ProviderRuntimeWarning,
    ReasoningPart,
    TextPart,
    ToolCall,
    ToolResult,
)
from ..cache import CachePlacement
from ..parts import call_arguments, parse_data_url, unsupported_part
from ..turns import fold_turns
from ..warnings import warn
from .cache import mark_block

__all__ = ["IMAGE_MEDIA_TYPES", "encode_anthropic_messages", "encode_image"]

# Base64 image media types the Messages API accepts (Base64ImageSource.media_type).
IMAGE_MEDIA_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})

Block = dict[str, Any]


def encode_anthropic_messages(
    messages: list[Message],
    *,
    provider: str,
    model: str,
    cache: CachePlacement | None = None,
) -> tuple[str | list[Block] | None, list[dict[str, Any]], list[ProviderRuntimeWarning]]:
    """Return the top-level ``system`` (or None), the native turns and the warnings.

    System messages are joined with a blank line wherever they stand; when a cache marker goes
    on the system prompt it is a list of text blocks instead, one per text part. Canonical
    ``tool`` messages join the user side; consecutive turns of one side are merged into one.
    ``cache`` says which parts carry a ``cache_control`` marker.
    """
    cache = cache or CachePlacement()
    warnings: list[ProviderRuntimeWarning] = []
    system_texts: list[str] = []
    system_blocks: list[Block] = []

    def system(message: Message, index: int) -> None:
        system_texts.extend(_system_texts(message, index, warnings))
        system_blocks.extend(_system_blocks(message, index, cache))

    turns = fold_turns(
        messages,
        encode=lambda message, index: _encode_blocks(
            message, index, provider=provider, model=model, warnings=warnings, cache=cache
        ),
        system=system,
        is_result=lambda block: block["type"] == "tool_result",
        api="Anthropic",
        warnings=warnings,
    )
    if any("cache_control" in b for b in system_blocks):
        return system_blocks, turns, warnings
    system_prompt = "\n\n".join(t for t in system_texts if t.strip()) or None
    return system_prompt, turns, warnings


def _system_blocks(message: Message, index: int, cache: CachePlacement) -> list[Block]:
    """The system prompt as text blocks (the form that can carry cache markers)."""
    return [
        mark_block({"type": "text", "text": part.text}, cache.ttl(index, part_index))
        for part_index, part in enumerate(message.parts())
        if isinstance(part, TextPart) and part.text.strip()
    ]


def _system_texts(
    message: Message, index: int, warnings: list[ProviderRuntimeWarning]
) -> list[str]:
    texts: list[str] = []
    for part_index, part in enumerate(message.parts()):
        if isinstance(part, TextPart):
            texts.append(part.text)
        elif not isinstance(part, CacheBreakpoint):
            unsupported_part(warnings, message, index, part_index, part, api="Anthropic")
    return ["".join(texts)] if texts else []


def _encode_blocks(
    message: Message,
    index: int,
    *,
    provider: str,
    model: str,
    warnings: list[ProviderRuntimeWarning],
    cache: CachePlacement,
) -> list[Block]:
    blocks: list[Block] = []
    assistant = message.role == MessageRole.ASSISTANT
    for part_index, part in enumerate(message.parts()):
        count = len(blocks)
        if isinstance(part, CacheBreakpoint):
            continue  # carried by the block it follows (``cache``)
        if isinstance(part, TextPart):
            if part.text.strip():  # Anthropic rejects blank text blocks
                blocks.append({"type": "text", "text": part.text})
        elif isinstance(part, ImagePart):
            blocks.append(encode_image(part, warnings, where=f"messages[{index}][{part_index}]"))
        elif isinstance(part, ToolCall) and assistant:
            blocks.append(_encode_tool_use(part, warnings))
        elif isinstance(part, ToolResult) and not assistant:
            blocks.append(_encode_tool_result(part, index, warnings))
        elif isinstance(part, ReasoningPart) and assistant:
            block = _encode_reasoning(part, index, part_index, provider, model, warnings)
            if block is not None:
                blocks.append(block)
        else:
            unsupported_part(warnings, message, index, part_index, part, api="Anthropic")
        if len(blocks) > count:
            mark_block(blocks[-1], cache.ttl(index, part_index))
    return blocks


def encode_image(image: ImagePart, warnings: list[ProviderRuntimeWarning], *, where: str) -> Block:
    """An ``image`` block; ``data:`` URLs become base64 sources, unknown media types text."""
    data, media_type = image.data, image.media_type
    if image.url is not None:
        parsed = parse_data_url(image.url)
        if parsed is None:
            return {"type": "image", "source": {"type": "url", "url": image.url}}
        media_type, data = parsed
    if media_type not in IMAGE_MEDIA_TYPES:
        warn(
            warnings,
            "unsupported.image_media_type",
            f"Anthropic does not accept {media_type} images; the image was replaced by a note",
            where=where,
            media_type=media_type,
        )
        return {"type": "text", "text": f"[image omitted: {media_type} is not supported]"}
    return {
        "type": "image",
        "source": {"type": "base64", "media_type": media_type, "data": data},
    }


def _encode_tool_use(call: ToolCall, warnings: list[ProviderRuntimeWarning]) -> Block:
    arguments = call_arguments(call, warnings)
    return {"type": "tool_use", "id": call.id, "name": call.name, "input": arguments}


def _encode_tool_result(
    result: ToolResult, index: int, warnings: list[ProviderRuntimeWarning]
) -> Block:
    content: str | list[Block]
    if isinstance(result.content, str):
        content = result.content
    else:
        content = []
        for part_index, part in enumerate(result.content):
            if isinstance(part, TextPart):
                if part.text.strip():  # Anthropic rejects blank text blocks
                    content.append({"type": "text", "text": part.text})
            else:
                where = f"messages[{index}].tool_result[{part_index}]"
                content.append(encode_image(part, warnings, where=where))
        if not content:
            content = ""
    block: Block = {"type": "tool_result", "tool_use_id": result.tool_call_id, "content": content}
    if result.is_error:
        block["is_error"] = True
    return block


def _encode_reasoning(
    part: ReasoningPart,
    index: int,
    part_index: int,
    provider: str,
    model: str,
    warnings: list[ProviderRuntimeWarning],
) -> Block | None:
    """Replay reasoning this provider and model produced; anything else is reported and left out."""
    reason: str | None = None
    if part.provider != provider or part.model != model:
        reason = f"it was produced by {part.provider or '?'}/{part.model or '?'}"
    elif part.redacted and part.data is None:
        reason = "redacted reasoning without its `data` cannot be replayed"
    elif not part.redacted and part.signature is None:
        reason = "reasoning without a signature cannot be replayed"
    if reason is not None:
        warn(
            warnings,
            "unsupported.reasoning_history",
            f"reasoning in message {index} was not sent: {reason}",
            message_index=index,
            part_index=part_index,
        )
        return None
    if part.redacted:
        return {"type": "redacted_thinking", "data": part.data}
    return {"type": "thinking", "thinking": part.text, "signature": part.signature}
