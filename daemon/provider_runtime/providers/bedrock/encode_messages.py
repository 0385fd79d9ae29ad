"""Canonical messages -> Converse ``system`` blocks and ``messages`` (pure).

Follows https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Message.html and
``ContentBlock``: user/assistant turns that alternate, starting with a user turn (the runtime's
handoff pass arranges that), tool results as ``toolResult`` blocks opening a user turn, images
as ``bytes`` (base64 in JSON) with a ``format``; URLs are fetched by nobody. The fold into
turns is ``providers/turns.py``'s, shared with Anthropic; the blocks are this module's.
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
from .cache import cache_point

__all__ = ["IMAGE_FORMATS", "encode_bedrock_messages"]

# media type -> ImageBlock.format (the service model's ImageFormat enum)
IMAGE_FORMATS = {"image/png": "png", "image/jpeg": "jpeg", "image/gif": "gif", "image/webp": "webp"}

Block = dict[str, Any]
Warnings = list[ProviderRuntimeWarning]


def encode_bedrock_messages(
    messages: list[Message],
    *,
    provider: str,
    model: str,
    cache: CachePlacement | None = None,
) -> tuple[list[Block], list[dict[str, Any]], Warnings]:
    """Return the ``system`` blocks, the native turns and the warnings.

    Each system message is one ``system`` text block, wherever it stands. Canonical ``tool``
    messages join the user side; consecutive turns of one side are merged into one turn.
    ``cache`` says after which parts a ``cachePoint`` block goes.
    """
    cache = cache or CachePlacement()
    warnings: Warnings = []
    system: list[Block] = []

    def add_system(message: Message, index: int) -> None:
        text = _system_text(message, index, warnings)
        if text.strip():  # SystemContentBlock.text is a NonEmptyString
            system.append({"text": text})
            system.extend(_system_point(message, index, cache))

    turns = fold_turns(
        messages,
        encode=lambda message, index: _encode_blocks(
            message, index, provider=provider, model=model, warnings=warnings, cache=cache
        ),
        system=add_system,
        is_result=lambda block: "toolResult" in block,
        follows_result=lambda block: "cachePoint" in block,  # a checkpoint after a result
        api="Bedrock",
        warnings=warnings,
    )
    return system, turns, warnings


def _system_point(message: Message, index: int, cache: CachePlacement) -> list[Block]:
    """The longest ``cachePoint`` asked inside this system message, after its one block."""
    ttls = [cache.ttl(index, i) for i in range(len(message.parts()))]
    asked = [t for t in ttls if t is not None]
    return [cache_point("1h" if "1h" in asked else "5m")] if asked else []


def _system_text(message: Message, index: int, warnings: Warnings) -> str:
    texts: list[str] = []
    for part_index, part in enumerate(message.parts()):
        if isinstance(part, TextPart):
            texts.append(part.text)
        elif not isinstance(part, CacheBreakpoint):
            unsupported_part(warnings, message, index, part_index, part, api="Bedrock")
    return "".join(texts)


def _encode_blocks(
    message: Message,
    index: int,
    *,
    provider: str,
    model: str,
    warnings: Warnings,
    cache: CachePlacement,
) -> list[Block]:
    blocks: list[Block] = []
    assistant = message.role == MessageRole.ASSISTANT
    for part_index, part in enumerate(message.parts()):
        where = f"messages[{index}][{part_index}]"
        count = len(blocks)
        if isinstance(part, CacheBreakpoint):
            continue  # a cachePoint after the block it follows (``cache``)
        if isinstance(part, TextPart):
            if part.text.strip():  # Bedrock rejects blank text blocks
                blocks.append({"text": part.text})
        elif isinstance(part, ImagePart):
            blocks.append(encode_image(part, warnings, where=where))
        elif isinstance(part, ToolCall) and assistant:
            blocks.append(_encode_tool_use(part, warnings))
        elif isinstance(part, ToolResult) and not assistant:
            blocks.append(_encode_tool_result(part, index, warnings))
        elif isinstance(part, ReasoningPart) and assistant:
            block = _encode_reasoning(part, index, part_index, provider, model, warnings)
            if block is not None:
                blocks.append(block)
        else:
            unsupported_part(warnings, message, index, part_index, part, api="Bedrock")
        ttl = cache.ttl(index, part_index)
        if ttl is not None and len(blocks) > count:
            blocks.append(cache_point(ttl))
    return blocks


def encode_image(image: ImagePart, warnings: Warnings, *, where: str) -> Block:
    """An ``image`` block from base64 data or a ``data:`` URL; anything else becomes a note."""
    data, media_type = image.data, image.media_type
    if image.url is not None:
        parsed = parse_data_url(image.url)
        if parsed is None:
            warn(
                warnings,
                "unsupported.image_url",
                "Bedrock takes image bytes, not URLs, and the runtime fetches nothing; "
                "the image was replaced by a note (send it as base64 `data`)",
                where=where,
            )
            return {"text": "[image omitted: only inline image data is supported]"}
        media_type, data = parsed
    image_format = IMAGE_FORMATS.get(media_type or "")
    if image_format is None or not data:
        warn(
            warnings,
            "unsupported.image_media_type",
            f"Bedrock does not accept {media_type} images; the image was replaced by a note",
            where=where,
            media_type=media_type,
        )
        return {"text": f"[image omitted: {media_type} is not supported]"}
    return {"image": {"format": image_format, "source": {"bytes": data}}}


def _encode_tool_use(call: ToolCall, warnings: Warnings) -> Block:
    arguments = call_arguments(call, warnings)
    return {"toolUse": {"toolUseId": call.id, "name": call.name, "input": arguments}}


def _encode_tool_result(result: ToolResult, index: int, warnings: Warnings) -> Block:
    content: list[Block] = []
    if isinstance(result.content, str):
        content.append({"text": result.content})
    else:
        for part_index, part in enumerate(result.content):
            if isinstance(part, TextPart):
                content.append({"text": part.text})
            else:
                where = f"messages[{index}].tool_result[{part_index}]"
                content.append(encode_image(part, warnings, where=where))
    if not content:
        content.append({"text": ""})  # `content` is required; an empty result is empty text
    block: Block = {"toolUseId": result.tool_call_id, "content": content}
    if result.is_error:
        block["status"] = "error"
    return {"toolResult": block}


def _encode_reasoning(
    part: ReasoningPart,
    index: int,
    part_index: int,
    provider: str,
    model: str,
    warnings: Warnings,
) -> Block | None:
    """Replay reasoning this provider and model produced, verbatim; anything else is reported.

    Unsigned text is replayed too: models such as DeepSeek R1 return reasoning with no
    signature, and the same model takes it back as it gave it.
    """
    reason: str | None = None
    if part.provider != provider or part.model != model:
        reason = f"it was produced by {part.provider or '?'}/{part.model or '?'}"
    elif part.redacted and not part.data:
        reason = "redacted reasoning without its `data` cannot be replayed"
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
        return {"reasoningContent": {"redactedContent": part.data}}
    text: Block = {"text": part.text}
    if part.signature is not None:
        text["signature"] = part.signature
    return {"reasoningContent": {"reasoningText": text}}
