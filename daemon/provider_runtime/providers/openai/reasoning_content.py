"""Sending an assistant's ``reasoning_content`` back, where a compatible server requires it.

DeepSeek's thinking mode (https://api-docs.deepseek.com/guides/thinking_mode, "Input and Output
Parameters" and "Tool Calls"): between two user messages, if the model called a tool, the
reasoning of the assistant messages in between must be sent back as ``reasoning_content``, in
every later request; where it called none, that reasoning is not needed (and is ignored). Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...core.types import (
    CacheBreakpoint,
    Message,
    MessageRole,
    ProviderRuntimeWarning,
    ReasoningPart,
    ToolCall,
    ToolResult,
)
from ..warnings import warning
from .messages import ReasoningReplay

__all__ = ["reasoning_content_replay", "tool_call_turns"]


def _opens_turn(message: Message) -> bool:
    """A user message that reaches the server as one (not only tool results)."""
    return message.role is MessageRole.USER and any(
        not isinstance(part, ToolResult | CacheBreakpoint) for part in message.parts()
    )


def tool_call_turns(messages: Sequence[Message]) -> frozenset[int]:
    """The indices of the assistant messages standing between two user messages (or after the
    last) where some assistant message calls a tool."""
    found: set[int] = set()
    turn: list[int] = []
    called = False
    for index, message in enumerate(messages):
        if _opens_turn(message):
            found.update(turn if called else ())
            turn, called = [], False
        elif message.role is MessageRole.ASSISTANT:
            turn.append(index)
            called = called or any(isinstance(p, ToolCall) for p in message.parts())
    found.update(turn if called else ())  # the turn under way
    return frozenset(found)


def reasoning_content_replay(
    messages: Sequence[Message], *, provider: str, model: str
) -> ReasoningReplay:
    """The replay of the reasoning parts ``provider``/``model`` made, as ``reasoning_content``,
    on the assistant messages of a tool-calling turn; every other part is reported and not sent
    (``unsupported.reasoning_history``)."""
    turns = tool_call_turns(messages)

    def replay(
        parts: Sequence[ReasoningPart], index: int
    ) -> tuple[dict[str, Any], list[ProviderRuntimeWarning]]:
        own = [p for p in parts if p.provider == provider and p.model == model]
        if index not in turns:
            return {}, [_dropped(provider, index, len(parts), "no_tool_call")]
        warnings = []
        if len(own) < len(parts):
            warnings.append(_dropped(provider, index, len(parts) - len(own), "other_model"))
        fields = {"reasoning_content": "".join(p.text for p in own)} if own else {}
        return fields, warnings

    return replay


_WHY = {
    "no_tool_call": "only the reasoning of a turn that called a tool is taken back",
    "other_model": "only reasoning this model produced is taken back",
}


def _dropped(provider: str, index: int, count: int, reason: str) -> ProviderRuntimeWarning:
    return warning(
        "unsupported.reasoning_history",
        f"{provider}: {_WHY[reason]}; {count} reasoning part(s) not sent",
        message_index=index,
        count=count,
        reason=reason,
    )
