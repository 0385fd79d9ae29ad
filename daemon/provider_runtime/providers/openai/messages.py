"""Canonical messages -> Chat Completions ``messages`` (shared by every OpenAI-style endpoint).

Follows https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages.
Parts a role cannot carry become warnings; tool results become ``tool`` messages placed before
the rest of the message that held them, so they directly follow the assistant's calls.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from ...core.types import (
    CacheBreakpoint,
    ContentPart,
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
from ..warnings import warning
from .cache import cache_marker
from .dialect import OpenAIDialect

__all__ = [
    "TOOL_RESULT_IMAGE_PLACEHOLDER",
    "ReasoningReplay",
    "encode_arguments",
    "encode_image",
    "encode_messages",
]

TOOL_RESULT_IMAGE_PLACEHOLDER = "[image omitted: tool results cannot carry images here]"
TOOL_ERROR_PREFIX = "Error: "

# Turns one assistant message's reasoning parts into extra fields of that native message
# (OpenRouter: ``reasoning_details``). Arguments: the parts, the message index.
ReasoningReplay = Callable[
    [Sequence[ReasoningPart], int], tuple[dict[str, Any], list[ProviderRuntimeWarning]]
]

_json = msgspec.json.Encoder(order="deterministic")


def encode_arguments(call: ToolCall) -> str:
    """Arguments as the JSON string the API expects; unparsed model output is replayed as is."""
    if call.raw_arguments is not None:
        return call.raw_arguments
    return _json.encode(call.arguments).decode()


def encode_image(part: ImagePart) -> dict[str, Any]:
    url = part.url if part.url is not None else f"data:{part.media_type};base64,{part.data}"
    return {"type": "image_url", "image_url": {"url": url}}


class _Encoder:
    def __init__(
        self,
        model: str,
        dialect: OpenAIDialect,
        replay: ReasoningReplay | None,
        cache: CachePlacement,
    ) -> None:
        self.model = model
        self.dialect = dialect
        self.replay = replay
        self.cache = cache
        self.out: list[dict[str, Any]] = []
        self.warnings: list[ProviderRuntimeWarning] = []

    def marker(self, index: int, part_index: int) -> dict[str, Any]:
        """The cache marker fields of this part (none when no breakpoint follows it)."""
        return cache_marker(self.dialect, self.cache.ttl(index, part_index))

    def dropped(
        self, index: int, part_index: int, part: ContentPart, role: str, why: str | None = None
    ) -> None:
        why = why or f"cannot be expressed in {role} messages"
        self.warnings.append(
            warning(
                "unsupported.content_part",
                f"a part of type `{_kind(part)}` {why}; it was not sent",
                message_index=index,
                part_index=part_index,
                part_type=_kind(part),
                role=role,
            )
        )

    def message(self, index: int, message: Message) -> None:
        parts = message.parts()
        results = [(i, p) for i, p in enumerate(parts) if isinstance(p, ToolResult)]
        for part_index, result in results:
            self.out.append(self.tool_result(index, part_index, result))
        rest = [  # a breakpoint is carried by the part before it (``self.cache``)
            (i, p) for i, p in enumerate(parts) if not isinstance(p, ToolResult | CacheBreakpoint)
        ]
        if message.role is MessageRole.ASSISTANT:
            self.assistant(index, rest)
        elif message.role is MessageRole.TOOL:
            for part_index, part in rest:
                self.dropped(index, part_index, part, "tool", "in a tool message answers no call")
            if not parts:
                self.warnings.append(
                    warning(
                        "unsupported.content_part",
                        "an empty tool message answers no tool call; it was not sent",
                        message_index=index,
                        role="tool",
                    )
                )
        elif rest or not parts:
            self.user_or_system(index, message.role, rest)

    def user_or_system(
        self, index: int, role: MessageRole, parts: Sequence[tuple[int, ContentPart]]
    ) -> None:
        native_role = "user" if role is MessageRole.USER else self.dialect.system_role(self.model)
        content: list[dict[str, Any]] = []
        marked = False
        for part_index, part in parts:
            if isinstance(part, TextPart):
                content.append({"type": "text", "text": part.text})
            elif isinstance(part, ImagePart) and role is MessageRole.USER:
                # Only a target taking images gets them (runtime/capabilities.py decides).
                content.append(encode_image(part))
            else:
                self.dropped(index, part_index, part, role.value)
                continue
            marker = self.marker(index, part_index)
            content[-1].update(marker)
            marked = marked or bool(marker)
        if parts and not content:
            return  # everything was dropped (and reported)
        self.out.append({"role": native_role, "content": content if marked else _compact(content)})

    def assistant(self, index: int, parts: Sequence[tuple[int, ContentPart]]) -> None:
        texts: list[str] = []
        text_parts: list[dict[str, Any]] = []  # the same texts, as parts that may carry a marker
        calls: list[dict[str, Any]] = []
        reasoning: list[ReasoningPart] = []
        for part_index, part in parts:
            if isinstance(part, TextPart):
                texts.append(part.text)
                text_parts.append(
                    {"type": "text", "text": part.text, **self.marker(index, part_index)}
                )
            elif isinstance(part, ToolCall):
                calls.append(_tool_call(part))
            elif isinstance(part, ReasoningPart):
                reasoning.append(part)
            else:
                self.dropped(index, part_index, part, "assistant")
        native: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
        if any(set(p) - {"type", "text"} for p in text_parts):
            native["content"] = text_parts  # a text carries a cache marker: keep the parts
        if calls:
            native["tool_calls"] = calls
        elif not texts:
            native["content"] = ""
        if reasoning:
            native.update(self.reasoning(index, reasoning))
        if parts and not texts and not calls and len(native) == 2:
            return  # nothing left to send (the drops were reported)
        self.out.append(native)

    def reasoning(self, index: int, parts: list[ReasoningPart]) -> dict[str, Any]:
        if self.replay is not None:
            fields, warnings = self.replay(parts, index)
            self.warnings.extend(warnings)
            return fields
        self.warnings.append(
            warning(
                "unsupported.reasoning_history",
                f"{self.dialect.provider} cannot take reasoning back in the conversation; "
                f"{len(parts)} reasoning part(s) not sent",
                message_index=index,
                count=len(parts),
            )
        )
        return {}

    def tool_result(self, index: int, part_index: int, result: ToolResult) -> dict[str, Any]:
        if isinstance(result.content, str):
            texts = [result.content]
        else:
            texts = []
            for part in result.content:
                if isinstance(part, TextPart):
                    texts.append(part.text)
                else:
                    texts.append(TOOL_RESULT_IMAGE_PLACEHOLDER)
                    self.warnings.append(
                        warning(
                            "unsupported.tool_result_image",
                            "tool results cannot carry images in Chat Completions; "
                            "a placeholder was sent",
                            message_index=index,
                            part_index=part_index,
                            tool_call_id=result.tool_call_id,
                        )
                    )
        text = "\n".join(texts)
        if result.is_error:
            text = TOOL_ERROR_PREFIX + text
        marker = self.marker(index, part_index)
        content: str | list[dict[str, Any]] = (
            [{"type": "text", "text": text, **marker}] if marker else text
        )
        return {"role": "tool", "tool_call_id": result.tool_call_id, "content": content}


def _kind(part: ContentPart) -> str:
    tag: str = part.__struct_config__.tag  # type: ignore[assignment]
    return tag


def _tool_call(call: ToolCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "type": "function",
        "function": {"name": call.name, "arguments": encode_arguments(call)},
    }


def _compact(content: list[dict[str, Any]]) -> str | list[dict[str, Any]]:
    """One text part (or none) is sent as a plain string, the most widely accepted form."""
    if not content:
        return ""
    if len(content) == 1 and content[0]["type"] == "text":
        text: str = content[0]["text"]
        return text
    return content


def encode_messages(
    messages: Sequence[Message],
    *,
    model: str,
    dialect: OpenAIDialect,
    replay: ReasoningReplay | None = None,
    cache: CachePlacement | None = None,
) -> tuple[list[dict[str, Any]], list[ProviderRuntimeWarning]]:
    """Native ``messages`` and the warnings for what could not be expressed (``cache``: which
    parts carry a cache marker)."""
    encoder = _Encoder(model, dialect, replay, cache or CachePlacement())
    for index, message in enumerate(messages):
        encoder.message(index, message)
    return encoder.out, encoder.warnings
