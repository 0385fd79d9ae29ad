"""``normalize_handoff_messages``: the handoff passes in order, and nothing else.

Pure: no clock, randomness or environment; the same input always gives the same output.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.types import Message, ProviderRuntimeWarning
from .layout import enforce_alternation, place_system
from .model import HandoffTarget, Notices
from .pairing import pair_tool_calls
from .parts import rewrite_parts

__all__ = ["normalize_handoff_messages"]


def normalize_handoff_messages(
    messages: Sequence[Message], target: HandoffTarget
) -> tuple[list[Message], list[ProviderRuntimeWarning]]:
    """Rewrite a conversation from any mix of providers into one ``target`` accepts.

    Returns the messages and one ``handoff.*`` warning per change (protocol.md §5 lists the
    rules). Messages that need no change are returned as the very same objects, and
    normalizing the output again changes nothing and warns nothing.
    """
    notices = Notices()
    work = rewrite_parts(messages, target, notices)
    if target.capabilities.tools:
        work = pair_tool_calls(work, target, notices)
    work = place_system(work, target, notices)
    work = enforce_alternation(work, target, notices)
    return [m.to_message() for m in work], notices.items
