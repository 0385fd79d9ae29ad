"""The one fold into alternating turns shared by the Anthropic and Bedrock encoders
(``providers/turns.py``): the same canonical history gives the same turn layout on both."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from provider_runtime.core.types import (
    CacheBreakpoint,
    Message,
    MessageRole,
    ProviderRuntimeWarning,
    TextPart,
    ToolCall,
    ToolResult,
)
from provider_runtime.providers.anthropic.encode_messages import encode_anthropic_messages
from provider_runtime.providers.bedrock.encode_messages import encode_bedrock_messages
from provider_runtime.providers.cache import CachePlacement

Encoder = Callable[..., tuple[Any, list[dict[str, Any]], list[ProviderRuntimeWarning]]]


def _kind(block: dict[str, Any]) -> str:
    """One name per block for both wires (Anthropic's `type`, Converse's single key)."""
    raw = block["type"] if "type" in block else next(iter(block))
    return {"toolUse": "tool_use", "toolResult": "tool_result"}.get(raw, raw)


HISTORY = [
    Message(role=MessageRole.SYSTEM, content="rules"),
    Message(role=MessageRole.USER, content="Weather in Oslo and Rome?"),
    Message(
        role=MessageRole.ASSISTANT,
        content=[
            ToolCall(id="t1", name="weather", arguments={"city": "Oslo"}),
            ToolCall(id="t2", name="weather", arguments={"city": "Rome"}),
        ],
    ),
    Message(role=MessageRole.TOOL, content=[ToolResult(tool_call_id="t1", content="sun")]),
    Message(role=MessageRole.USER, content="and also"),
    Message(role=MessageRole.TOOL, content=[ToolResult(tool_call_id="t2", content="rain")]),
    Message(role=MessageRole.USER, content=[]),
    Message(role=MessageRole.USER, content=[CacheBreakpoint()]),
]


@pytest.mark.parametrize(
    "encode", [encode_anthropic_messages, encode_bedrock_messages], ids=["anthropic", "bedrock"]
)
def test_both_apis_fold_the_same_history_into_the_same_turns(encode: Encoder) -> None:
    _, turns, warnings = encode(HISTORY, provider="p", model="m")
    layout = [(t["role"], [_kind(b) for b in t["content"]]) for t in turns]
    assert layout == [
        ("user", ["text"]),
        ("assistant", ["tool_use", "tool_use"]),
        ("user", ["tool_result", "tool_result", "text"]),  # results open the turn
    ]
    # The empty message is reported on both APIs; the breakpoint-only one is not.
    assert [(w.code, w.details["message_index"]) for w in warnings] == [
        ("unsupported.empty_message", 6)
    ]


def test_a_bedrock_checkpoint_after_a_result_moves_with_it() -> None:
    messages = [
        Message(role=MessageRole.USER, content="go"),
        Message(role=MessageRole.ASSISTANT, content=[ToolCall(id="t1", name="f")]),
        Message(role=MessageRole.USER, content=[TextPart(text="note")]),
        Message(
            role=MessageRole.TOOL,
            content=[ToolResult(tool_call_id="t1", content="ok"), CacheBreakpoint()],
        ),
    ]
    cache = CachePlacement(parts={(3, 0): "5m"})
    _, turns, _ = encode_bedrock_messages(messages, provider="p", model="m", cache=cache)
    assert [_kind(b) for b in turns[-1]["content"]] == ["tool_result", "cachePoint", "text"]
