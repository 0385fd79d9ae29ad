"""First handoff pass: rewrite each part on its own (reasoning, images, blank text, tools as text).

Nothing here looks across messages; pairing calls with results is ``pairing.py``'s job.
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec

from ..core.types import (
    ContentPart,
    ImagePart,
    Message,
    MessageRole,
    ReasoningPart,
    TextPart,
    ToolCall,
    ToolResult,
)
from .model import HandoffTarget, Notices, Slot, WorkMessage

__all__ = [
    "IMAGE_PLACEHOLDER",
    "ROLE_IMAGE_PLACEHOLDER",
    "render_tool_call",
    "render_tool_result",
    "result_as_text",
    "rewrite_parts",
]

IMAGE_PLACEHOLDER = "[image omitted: target model does not accept images]"
ROLE_IMAGE_PLACEHOLDER = "[image omitted: images are only accepted in user messages]"


def rewrite_parts(
    messages: Sequence[Message], target: HandoffTarget, notices: Notices
) -> list[WorkMessage]:
    """Apply the per-part rules to every message; drop messages left with no content."""
    out: list[WorkMessage] = []
    for index, message in enumerate(messages):
        work = WorkMessage.from_input(index, message)
        _rewrite_message(work, target, notices)
        if work.slots:
            out.append(work)
            continue
        notices.add(
            "handoff.empty_message_removed",
            f"Removed {message.role.value} message {index}: it has no content left.",
            message_index=index,
            role=message.role.value,
        )
    return out


def _rewrite_message(work: WorkMessage, target: HandoffTarget, notices: Notices) -> None:
    role = work.role
    # Without tools, results become plain text, and plain text belongs to the user side.
    to_user = role == MessageRole.TOOL and not target.capabilities.tools
    new: list[Slot] = []
    for slot in _drop_blank_text(work.slots, notices):
        if to_user and isinstance(slot.part, TextPart | ImagePart):
            notices.at(
                "handoff.misplaced_part",
                "Moved a non-result part of a tool message into a user message.",
                slot.origin,
            )
        new.extend(_rewrite_slot(slot, role, target, notices))
    work.replace(new, MessageRole.USER if to_user else role)


def _is_blank(part: ContentPart) -> bool:
    return isinstance(part, TextPart) and not part.text.strip()


def _drop_blank_text(slots: list[Slot], notices: Notices) -> list[Slot]:
    """Remove blank text parts; a message of nothing else is reported once, as removed."""
    kept = [s for s in slots if not _is_blank(s.part)]
    if kept:
        for slot in slots:
            if _is_blank(slot.part):
                notices.at("handoff.empty_text_removed", "Removed an empty text part.", slot.origin)
    return kept


def _rewrite_slot(
    slot: Slot, role: MessageRole, target: HandoffTarget, notices: Notices
) -> list[Slot]:
    part = slot.part
    if isinstance(part, ImagePart):
        return [_rewrite_image(slot, role, target, notices)]
    if isinstance(part, ReasoningPart):
        return [slot] if _keep_reasoning(slot, part, role, target, notices) else []
    if isinstance(part, TextPart | ToolCall) and part.signature is not None:
        slot = _keep_or_strip_signature(slot, part, role, target, notices)
        part = slot.part
    if isinstance(part, ToolCall):
        return _rewrite_tool_call(slot, part, role, target, notices)
    if isinstance(part, ToolResult):
        return _rewrite_tool_result(slot, part, role, target, notices)
    return [slot]


def _rewrite_image(slot: Slot, role: MessageRole, target: HandoffTarget, notices: Notices) -> Slot:
    if role in (MessageRole.SYSTEM, MessageRole.ASSISTANT):
        notices.at(
            "handoff.image_removed",
            f"Replaced an image in a {role.value} message by a text placeholder: "
            "images are only accepted in user messages.",
            slot.origin,
            reason="role",
        )
        return Slot(TextPart(text=ROLE_IMAGE_PLACEHOLDER), slot.origin)
    if not target.accepts_images:
        notices.at(
            "handoff.image_removed",
            f"Replaced an image by a text placeholder: {target.provider}/{target.model} "
            "does not accept images.",
            slot.origin,
            reason="no_vision",
        )
        return Slot(TextPart(text=IMAGE_PLACEHOLDER), slot.origin)
    return slot


def _reasoning_drop_reason(
    provider: str | None, model: str | None, role: MessageRole, target: HandoffTarget
) -> str:
    """Why reasoning state made by ``provider``/``model`` cannot be replayed to ``target``, or ""
    when it can (reasoning parts and the signatures on text and tool-call parts alike)."""
    if role != MessageRole.ASSISTANT:
        return "not_in_assistant_message"
    if not target.capabilities.reasoning_replay:
        return "target_cannot_replay"
    if provider is None or model is None:
        return "unknown_origin"
    if provider != target.provider or model != target.model:
        return "other_model"
    return ""


_DROP_WHY = {
    "not_in_assistant_message": "reasoning is only replayed in assistant messages",
    "target_cannot_replay": "{target} cannot take reasoning back",
    "unknown_origin": "it can only be replayed to the model that produced it, "
    "and that model is not recorded",
    "other_model": "it can only be replayed to the model that produced it",
}


def _keep_reasoning(
    slot: Slot, part: ReasoningPart, role: MessageRole, target: HandoffTarget, notices: Notices
) -> bool:
    reason = _reasoning_drop_reason(part.provider, part.model, role, target)
    if not reason:
        return True
    kind = "redacted reasoning" if part.redacted else "reasoning"
    origin = f"{part.provider}/{part.model}" if part.provider or part.model else "an unknown model"
    why = _DROP_WHY[reason].format(target=target.provider)
    notices.at(
        "handoff.reasoning_dropped",
        f"Dropped {kind} produced by {origin}: {why} ({reason}).",
        slot.origin,
        reason=reason,
        provider=part.provider,
        model=part.model,
        redacted=part.redacted,
    )
    return False


def _keep_or_strip_signature(
    slot: Slot,
    part: TextPart | ToolCall,
    role: MessageRole,
    target: HandoffTarget,
    notices: Notices,
) -> Slot:
    """The part with its signature when ``target`` made it, else without (the part stays)."""
    signature = part.signature
    assert signature is not None
    reason = _reasoning_drop_reason(signature.provider, signature.model, role, target)
    if not reason:
        return slot
    kind = "tool call" if isinstance(part, ToolCall) else "text"
    why = _DROP_WHY[reason].format(target=target.provider)
    notices.at(
        "handoff.reasoning_dropped",
        f"Dropped the reasoning signature of a {kind} part produced by "
        f"{signature.provider}/{signature.model}: {why} ({reason}); the part itself stays.",
        slot.origin,
        reason=reason,
        provider=signature.provider,
        model=signature.model,
        redacted=False,
        part_type="tool_call" if isinstance(part, ToolCall) else "text",
    )
    return Slot(msgspec.structs.replace(part, signature=None), slot.origin)


def _rewrite_tool_call(
    slot: Slot, part: ToolCall, role: MessageRole, target: HandoffTarget, notices: Notices
) -> list[Slot]:
    if not target.capabilities.tools:
        notices.at(
            "handoff.tools_as_text",
            f"Wrote tool call {part.id!r} ({part.name}) as text: the target has no tools.",
            slot.origin,
            tool_call_id=part.id,
        )
    elif role != MessageRole.ASSISTANT:
        notices.at(
            "handoff.misplaced_part",
            f"Wrote tool call {part.id!r} in a {role.value} message as text: "
            "only assistant messages make tool calls.",
            slot.origin,
            tool_call_id=part.id,
        )
    else:
        return [slot]
    return [Slot(TextPart(text=render_tool_call(part)), slot.origin)]


def _rewrite_tool_result(
    slot: Slot, part: ToolResult, role: MessageRole, target: HandoffTarget, notices: Notices
) -> list[Slot]:
    if isinstance(part.content, list) and not target.accepts_images:
        content: list[TextPart | ImagePart] = []
        for item in part.content:
            if isinstance(item, ImagePart):
                notices.at(
                    "handoff.image_removed",
                    f"Replaced an image in the result of tool call {part.tool_call_id!r} by a "
                    f"text placeholder: {target.provider}/{target.model} does not accept images.",
                    slot.origin,
                    reason="no_vision",
                    tool_call_id=part.tool_call_id,
                )
                item = TextPart(text=IMAGE_PLACEHOLDER)
            content.append(item)
        if content != part.content:
            part = msgspec.structs.replace(part, content=content)
            slot = Slot(part, slot.origin)
    if target.capabilities.tools:
        return [slot]
    notices.at(
        "handoff.tools_as_text",
        f"Wrote the result of tool call {part.tool_call_id!r} as text: the target has no tools.",
        slot.origin,
        tool_call_id=part.tool_call_id,
    )
    return result_as_text(Slot(part, slot.origin), role, target, notices)


def result_as_text(
    slot: Slot, role: MessageRole, target: HandoffTarget, notices: Notices
) -> list[Slot]:
    """A tool result written as text in a ``role`` message (its images follow the image rules)."""
    assert isinstance(slot.part, ToolResult)
    out: list[Slot] = []
    for part in render_tool_result(slot.part):
        item = Slot(part, slot.origin)
        out.append(
            _rewrite_image(item, role, target, notices) if isinstance(part, ImagePart) else item
        )
    return out


def render_tool_call(call: ToolCall) -> str:
    """A tool call as plain text, arguments as deterministic (key-sorted) JSON."""
    if call.raw_arguments is not None:
        arguments = call.raw_arguments
    else:
        arguments = msgspec.json.encode(call.arguments, order="sorted").decode()
    return f"[tool call {call.name} id={call.id}] {arguments}"


def render_tool_result(result: ToolResult) -> list[TextPart | ImagePart]:
    """A tool result as a text part (then its images, if any) for targets that cannot take it."""
    kind = "tool error" if result.is_error else "tool result"
    header = f"[{kind} id={result.tool_call_id}]"
    if isinstance(result.content, str):
        texts, images = [result.content], []
    else:
        texts = [p.text for p in result.content if isinstance(p, TextPart)]
        images = [p for p in result.content if isinstance(p, ImagePart)]
    body = "\n".join(t for t in texts if t)
    return [TextPart(text=f"{header}\n{body}" if body else header), *images]
