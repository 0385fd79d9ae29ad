"""Last handoff passes: where system prompts go, and user/assistant alternation.

Both look only at roles and message order; the content was made valid by the earlier passes.
"""

from __future__ import annotations

from ..core.types import CacheBreakpoint, MessageRole, SystemPlacement, TextPart
from .model import HandoffTarget, Notices, Slot, WorkMessage

__all__ = ["LEADING_USER_TEXT", "enforce_alternation", "fold_breakpoints", "place_system"]

LEADING_USER_TEXT = "(continued)"


def fold_breakpoints(work: list[WorkMessage], notices: Notices) -> list[WorkMessage]:
    """A message of cache breakpoints only has no content: its breakpoints end the message
    before it (the same place in the prompt), or open the next one when it comes first."""
    if all(_only_breakpoints(m) for m in work):
        return work  # nothing else to attach them to
    out: list[WorkMessage] = []
    pending: list[Slot] = []
    for message in work:
        if not _only_breakpoints(message):
            if pending:
                message.replace([*pending, *message.slots])
                pending = []
            out.append(message)
            continue
        if out:
            out[-1].replace([*out[-1].slots, *message.slots])
        else:
            pending.extend(message.slots)
        index = message.sources[0] if message.sources else None
        where = "end the message before it" if out else "open the message after it"
        notices.add(
            "handoff.empty_message_removed",
            f"Removed {message.role.value} message {index}: it holds only cache breakpoints, "
            f"which now {where}.",
            message_index=index,
            role=message.role.value,
        )
    return out


def _only_breakpoints(message: WorkMessage) -> bool:
    return bool(message.slots) and all(isinstance(s.part, CacheBreakpoint) for s in message.slots)


def place_system(
    work: list[WorkMessage], target: HandoffTarget, notices: Notices
) -> list[WorkMessage]:
    """For a top-level system prompt, join every system message (in order) into one, first."""
    if target.capabilities.system_placement != SystemPlacement.TOP_LEVEL:
        return work
    systems = [m for m in work if m.role == MessageRole.SYSTEM]
    if not systems or (len(systems) == 1 and work[0] is systems[0]):
        return work
    others = [m for m in work if m.role != MessageRole.SYSTEM]
    indices = [s for m in systems for s in m.sources]
    if len(systems) == 1:
        merged = systems[0]
        message = f"Moved the system message (message {indices[0]}) to the start."
    else:
        merged = WorkMessage(
            role=MessageRole.SYSTEM, slots=_joined(systems), sources=tuple(indices)
        )
        message = f"Joined {len(systems)} system messages into one system prompt at the start."
    notices.add("handoff.system_merged", message, message_indices=indices)
    return [merged, *others]


def _joined(systems: list[WorkMessage]) -> list[Slot]:
    """The system texts joined with blank lines; a cache breakpoint stays where it stood,
    between the joined text before it and the text after it (the caller's intent)."""
    slots: list[Slot] = []
    texts: list[str] = []
    for slot in (s for m in systems for s in m.slots):
        if isinstance(slot.part, TextPart):
            texts.append(slot.part.text)
        elif isinstance(slot.part, CacheBreakpoint):
            if texts:
                slots.append(Slot(TextPart(text="\n\n".join(texts)), None))
                texts = []
            slots.append(slot)
    if texts or not slots:
        slots.append(Slot(TextPart(text="\n\n".join(texts)), None))
    return slots


def enforce_alternation(
    work: list[WorkMessage], target: HandoffTarget, notices: Notices
) -> list[WorkMessage]:
    """Merge runs of same-role messages; start the turns with a user message.

    Tool messages are on the user side, but stay separate from a following user message: the
    adapter folds a tool message and the user message after it into one native user turn.
    """
    if not target.capabilities.requires_alternation:
        return work
    groups: list[list[WorkMessage]] = []
    for message in work:
        same_role = bool(groups) and groups[-1][0].role == message.role
        if same_role and message.role != MessageRole.SYSTEM:
            groups[-1].append(message)
        else:
            groups.append([message])
    out: list[WorkMessage] = []
    for group in groups:
        if len(group) == 1:
            out.append(group[0])
            continue
        role = group[0].role
        sources = tuple(s for m in group for s in m.sources)
        notices.add(
            "handoff.messages_merged",
            f"Merged {len(group)} consecutive {role.value} messages into one: "
            "the target requires alternating turns.",
            message_indices=list(sources),
            role=role.value,
        )
        slots = [slot for m in group for slot in m.slots]
        out.append(WorkMessage(role=role, slots=slots, sources=sources))
    return _lead_with_user(out, notices)


def _lead_with_user(work: list[WorkMessage], notices: Notices) -> list[WorkMessage]:
    first = next((i for i, m in enumerate(work) if m.role != MessageRole.SYSTEM), None)
    if first is None or work[first].role != MessageRole.ASSISTANT:
        return work
    notices.add(
        "handoff.leading_assistant",
        f"Inserted a user message {LEADING_USER_TEXT!r} before the first assistant message: "
        "the target requires the turns to start with a user message.",
        message_index=work[first].sources[0],
    )
    lead = WorkMessage(
        role=MessageRole.USER, slots=[Slot(TextPart(text=LEADING_USER_TEXT), None)], sources=()
    )
    return [*work[:first], lead, *work[first:]]
