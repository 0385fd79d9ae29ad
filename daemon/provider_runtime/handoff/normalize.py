"""``normalize_handoff_messages``: the handoff passes in order, and nothing else.

Pure: no clock, randomness or environment; the same input always gives the same output.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.types import Message, MessageRole, ProviderRuntimeWarning, SystemPlacement, TextPart
from .layout import enforce_alternation, fold_breakpoints, place_system
from .model import HandoffTarget, Notices
from .pairing import pair_tool_calls
from .parts import rewrite_parts

__all__ = ["needs_no_change", "normalize_handoff_messages"]


def normalize_handoff_messages(
    messages: Sequence[Message], target: HandoffTarget
) -> tuple[list[Message], list[ProviderRuntimeWarning]]:
    """Rewrite a conversation from any mix of providers into one ``target`` accepts.

    Returns the messages and one ``handoff.*`` warning per change (protocol.md §5 lists the
    rules). Messages that need no change are returned as the very same objects, and
    normalizing the output again changes nothing and warns nothing.
    """
    if needs_no_change(messages, target):
        return list(messages), []  # what the passes would give, without building their state
    return _all_passes(messages, target)


def _all_passes(
    messages: Sequence[Message], target: HandoffTarget
) -> tuple[list[Message], list[ProviderRuntimeWarning]]:
    notices = Notices()
    work = rewrite_parts(messages, target, notices)
    if target.capabilities.tools:
        work = pair_tool_calls(work, target, notices)
    work = fold_breakpoints(work, notices)
    work = place_system(work, target, notices)
    work = enforce_alternation(work, target, notices)
    work = fold_breakpoints(work, notices)  # only a conversation of breakpoints alone gets here
    return [m.to_message() for m in work], notices.items


def needs_no_change(messages: Sequence[Message], target: HandoffTarget) -> bool:
    """True for a conversation no pass would touch: system, user and assistant messages of
    non-blank text only, system messages where ``target`` takes them, turns in the order it
    requires. False says nothing (the passes then decide)."""
    caps = target.capabilities
    top_level = caps.system_placement == SystemPlacement.TOP_LEVEL
    previous: MessageRole | None = None
    turns = False  # a user or assistant message seen
    for index, message in enumerate(messages):
        role = message.role
        if role == MessageRole.TOOL or not _plain_text(message):
            return False
        if role == MessageRole.SYSTEM:
            if top_level and index:
                return False
        elif caps.requires_alternation and (
            role == previous or (role == MessageRole.ASSISTANT and not turns)
        ):
            return False
        else:
            turns = True
        previous = role
    return True


def _plain_text(message: Message) -> bool:
    content = message.content
    if isinstance(content, str):
        return bool(content.strip())
    return bool(content) and all(
        type(p) is TextPart and p.text.strip() and p.signature is None for p in content
    )
