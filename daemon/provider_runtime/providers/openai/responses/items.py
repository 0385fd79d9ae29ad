"""Canonical messages -> Responses ``input`` items. Pure; shared by ``POST /responses`` and
``POST /responses/input_tokens``.

System messages become ``developer`` messages in their place (not ``instructions``): the
conversation keeps its order, several system messages stay apart, and with ``store: false``
``instructions`` would carry nothing more. Assistant text becomes an assistant message, calls
``function_call`` items, results ``function_call_output`` items linked by ``call_id``, and
reasoning parts the ``reasoning`` items they came from, each where it stood
(https://platform.openai.com/docs/guides/conversation-state#manually-manage-conversation-state).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ....core.types import (
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
from ...cache import CachePlacement
from ...warnings import warning
from ..messages import TOOL_ERROR_PREFIX, encode_arguments

# A breakpoint on an input content part (InputTextContent, InputImageContent): the end of a
# reusable prefix (https://developers.openai.com/api/docs/guides/prompt-caching).
_BREAKPOINT = {"prompt_cache_breakpoint": {"mode": "explicit"}}

__all__ = ["encode_input_items", "image_url"]

Item = dict[str, Any]


def image_url(part: ImagePart) -> str:
    return part.url if part.url is not None else f"data:{part.media_type};base64,{part.data}"


def _image(part: ImagePart) -> Item:
    return {"type": "input_image", "image_url": image_url(part), "detail": "auto"}


class _Encoder:
    def __init__(self, provider: str, model: str, cache: CachePlacement) -> None:
        self.provider = provider
        self.model = model
        self.cache = cache
        self.items: list[Item] = []
        self.warnings: list[ProviderRuntimeWarning] = []

    def dropped(self, index: int, part_index: int, part: ContentPart, role: str, why: str) -> None:
        kind = str(part.__struct_config__.tag)
        self.warnings.append(
            warning(
                "unsupported.content_part",
                f"a part of type `{kind}` {why}; it was not sent",
                message_index=index,
                part_index=part_index,
                part_type=kind,
                role=role,
            )
        )

    def message(self, index: int, message: Message) -> None:
        parts = list(enumerate(message.parts()))
        for part_index, part in parts:
            if isinstance(part, ToolResult):
                marked = self.cache.ttl(index, part_index) is not None
                self.items.append(self.tool_result(part, marked=marked))
        rest = [  # a breakpoint is carried by the part before it (``self.cache``)
            (i, p) for i, p in parts if not isinstance(p, ToolResult | CacheBreakpoint)
        ]
        if message.role is MessageRole.ASSISTANT:
            self.assistant(index, rest)
        elif message.role is MessageRole.TOOL:
            for part_index, part in rest:
                self.dropped(index, part_index, part, "tool", "in a tool message answers no call")
        elif rest or not parts:
            self.user_or_system(index, message.role, rest)

    def user_or_system(
        self, index: int, role: MessageRole, parts: Sequence[tuple[int, ContentPart]]
    ) -> None:
        content: list[Item] = []
        marked = False
        for part_index, part in parts:
            if isinstance(part, TextPart):
                content.append({"type": "input_text", "text": part.text})
            elif isinstance(part, ImagePart) and role is MessageRole.USER:
                content.append(_image(part))  # only a target taking images gets them
            else:
                why = f"cannot be expressed in {role.value} messages"
                self.dropped(index, part_index, part, role.value, why)
                continue
            if self.cache.ttl(index, part_index) is not None:
                content[-1].update(_BREAKPOINT)
                marked = True
        if parts and not content:
            return
        native_role = "user" if role is MessageRole.USER else "developer"
        body = content if marked else _compact(content)
        self.items.append({"type": "message", "role": native_role, "content": body})

    def assistant(self, index: int, parts: Sequence[tuple[int, ContentPart]]) -> None:
        texts: list[str] = []
        pending: list[ReasoningPart] = []  # consecutive parts of one reasoning item
        for part_index, part in parts:
            if not isinstance(part, ReasoningPart) or _item_id(part) != _item_id(pending):
                self.flush_reasoning(index, pending)
                pending = []
            if isinstance(part, TextPart):
                texts.append(part.text)
                continue
            self.flush_text(texts)
            texts = []
            if isinstance(part, ReasoningPart):
                pending.append(part)
            elif isinstance(part, ToolCall):
                self.items.append(_function_call(part))
            else:
                self.dropped(index, part_index, part, "assistant", "in an assistant message")
        self.flush_reasoning(index, pending)
        self.flush_text(texts)

    def flush_text(self, texts: list[str]) -> None:
        if texts:
            self.items.append({"type": "message", "role": "assistant", "content": "".join(texts)})

    def flush_reasoning(self, index: int, parts: list[ReasoningPart]) -> None:
        """One reasoning item from the parts it was decoded into; never one without its
        encrypted content (the API could not use it with ``store: false``)."""
        if not parts:
            return
        encrypted = next((p.data for p in parts if p.data), None)
        item_id = parts[0].signature
        if encrypted is None or not item_id:
            self.warnings.append(
                warning(
                    "unsupported.reasoning_history",
                    "a reasoning part without its item id and encrypted content cannot go back "
                    "to the Responses API; it was not sent",
                    message_index=index,
                    count=len(parts),
                )
            )
            return
        summary = [{"type": "summary_text", "text": p.text} for p in parts if p.text]
        self.items.append(
            {"type": "reasoning", "id": item_id, "summary": summary, "encrypted_content": encrypted}
        )

    def tool_result(self, result: ToolResult, *, marked: bool = False) -> Item:
        output: str | list[Item]
        if isinstance(result.content, str):
            output = result.content
        elif all(isinstance(p, TextPart) for p in result.content):
            output = "\n".join(p.text for p in result.content if isinstance(p, TextPart))
        else:
            output = [
                {"type": "input_text", "text": p.text} if isinstance(p, TextPart) else _image(p)
                for p in result.content
            ]
        if result.is_error:
            output = _error_output(output)
        if marked:  # the marker goes on the output's last content part
            parts = [{"type": "input_text", "text": output}] if isinstance(output, str) else output
            output = [*parts[:-1], {**parts[-1], **_BREAKPOINT}] if parts else parts
        return {"type": "function_call_output", "call_id": result.tool_call_id, "output": output}


def _error_output(output: str | list[Item]) -> str | list[Item]:
    """An error result says so the way Chat Completions results do: ``Error: `` first."""
    if isinstance(output, str):
        return TOOL_ERROR_PREFIX + output
    first = output[0] if output else None
    if first is not None and first["type"] == "input_text":
        return [{**first, "text": TOOL_ERROR_PREFIX + first["text"]}, *output[1:]]
    return [{"type": "input_text", "text": TOOL_ERROR_PREFIX.rstrip()}, *output]


def _item_id(parts: ReasoningPart | list[ReasoningPart]) -> str | None:
    if isinstance(parts, list):
        return parts[0].signature if parts else None
    return parts.signature


def _function_call(call: ToolCall) -> Item:
    return {
        "type": "function_call",
        "call_id": call.id,
        "name": call.name,
        "arguments": encode_arguments(call),
    }


def _compact(content: list[Item]) -> str | list[Item]:
    """A single text part is sent as a plain string."""
    if len(content) == 1 and content[0]["type"] == "input_text":
        text: str = content[0]["text"]
        return text
    return content


def encode_input_items(
    messages: Sequence[Message],
    *,
    provider: str,
    model: str,
    cache: CachePlacement | None = None,
) -> tuple[list[Item], list[ProviderRuntimeWarning]]:
    """The ``input`` items for ``messages`` and what could not be sent (``cache``: which parts
    carry a cache breakpoint marker)."""
    encoder = _Encoder(provider, model, cache or CachePlacement())
    for index, message in enumerate(messages):
        encoder.message(index, message)
    return encoder.items, encoder.warnings
