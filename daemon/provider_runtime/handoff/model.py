"""Handoff target, warning codes, and the working form of a conversation while it is rewritten.

Each pass works on ``WorkMessage`` lists whose parts remember where in the input they came from,
so every warning can name the input message and part it is about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

from ..core.types import (
    ContentPart,
    Message,
    MessageRole,
    ProviderCapabilities,
    ProviderRuntimeWarning,
)

__all__ = [
    "HANDOFF_WARNING_CODES",
    "HandoffTarget",
    "Notices",
    "Origin",
    "Slot",
    "WorkMessage",
]


class HandoffTarget(msgspec.Struct, frozen=True, kw_only=True):
    """The provider and model a conversation is about to be sent to, with what its API accepts."""

    provider: str
    model: str
    capabilities: ProviderCapabilities
    vision: bool | None = None  # the model's own vision ability if known; None: capabilities.vision

    @property
    def accepts_images(self) -> bool:
        return self.capabilities.vision and self.vision is not False


# code -> meaning; protocol.md §9 lists every one of these (a test keeps them in agreement).
HANDOFF_WARNING_CODES: dict[str, str] = {
    "handoff.reasoning_dropped": "a reasoning part not replayable to the target was dropped",
    "handoff.tool_call_id_rewritten": "a tool-call id was rewritten to fit the target; its "
    "results follow the new id",
    "handoff.tool_call_id_unfit": "no id fitting the target's tool-call id pattern could be made",
    "handoff.synthetic_tool_result": "a call without a result got a synthetic error result",
    "handoff.orphan_tool_result": "a tool result matching no earlier call became text",
    "handoff.tool_result_moved": "a tool result was moved to directly after its call",
    "handoff.empty_message_removed": "a message with no content was removed",
    "handoff.empty_text_removed": "an empty or whitespace-only text part was removed",
    "handoff.system_merged": "system messages were joined into one leading system message",
    "handoff.messages_merged": "consecutive same-role messages were merged into one",
    "handoff.leading_assistant": "a user message was inserted before a leading assistant message",
    "handoff.image_removed": "an image was replaced by a text placeholder",
    "handoff.tools_as_text": "a tool call or result was written as text (target has no tools)",
    "handoff.misplaced_part": "a part in a role that cannot carry it was moved or rewritten",
}

Origin = tuple[int, int]  # (input message index, part index within Message.parts())


@dataclass(frozen=True, slots=True)
class Slot:
    """One content part and where it came from (``None`` for parts the handoff created)."""

    part: ContentPart
    origin: Origin | None


@dataclass(slots=True)
class WorkMessage:
    """A message being rewritten. ``original`` is kept only while nothing about it has changed."""

    role: MessageRole
    slots: list[Slot]
    sources: tuple[int, ...]
    original: Message | None = None

    @classmethod
    def from_input(cls, index: int, message: Message) -> WorkMessage:
        slots = [Slot(p, (index, j)) for j, p in enumerate(message.parts())]
        return cls(role=message.role, slots=slots, sources=(index,), original=message)

    @property
    def parts(self) -> list[ContentPart]:
        return [s.part for s in self.slots]

    def replace(self, slots: list[Slot], role: MessageRole | None = None) -> None:
        """Set new content; drop ``original`` unless the parts and role are the same."""
        new_role = self.role if role is None else role
        if new_role != self.role or [s.part for s in slots] != self.parts:
            self.original = None
        self.role = new_role
        self.slots = slots

    def to_message(self) -> Message:
        if self.original is not None:
            return self.original
        return Message(role=self.role, content=self.parts)


@dataclass(slots=True)
class Notices:
    """Collects the warnings of one normalization, in the order the changes were made."""

    items: list[ProviderRuntimeWarning] = field(default_factory=list)

    def add(self, code: str, message: str, **details: Any) -> None:
        assert code in HANDOFF_WARNING_CODES, code
        self.items.append(ProviderRuntimeWarning(code=code, message=message, details=details))

    def at(self, code: str, message: str, origin: Origin | None, **details: Any) -> None:
        """Add a warning about the part at ``origin`` (omitted when the part was synthesized)."""
        where: dict[str, Any] = {}
        if origin is not None:
            where = {"message_index": origin[0], "part_index": origin[1]}
        self.add(code, message, **where, **details)
