"""DeepSeek's thinking mode through the runtime: the reasoning of a tool-calling turn goes back.

https://api-docs.deepseek.com/guides/thinking_mode: between two user messages where the model
called a tool, the assistant's `reasoning_content` must be passed back in all subsequent
requests; elsewhere it is not needed. The answers decode into reasoning parts tagged with the
provider and model, handoff keeps only those, and the encoder sends them where required.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import respx

from provider_runtime.assembly import build_runtime
from provider_runtime.config import load_config
from provider_runtime.core import (
    Message,
    MessageRole,
    ProviderRequest,
    ProviderResponse,
    ReasoningPart,
    TextPart,
    ToolCall,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.credentials import ConfigTokenProvider
from provider_runtime.providers.openai.reasoning_content import tool_call_turns
from provider_runtime.runtime import ProviderRuntime

from .openapi import validate_request

URL = "https://api.deepseek.com/chat/completions"
ENV = {"DEEPSEEK_API_KEY": "sk-ds-test"}
MODEL = "deepseek/deepseek-reasoner"
WEATHER = ToolDefinition(
    name="get_weather",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def completion(message: dict[str, Any], finish: str = "stop") -> dict[str, Any]:
    """A Chat Completions answer as DeepSeek's thinking mode gives it (reasoning_content beside
    content)."""
    return {
        "id": "ds-1",
        "object": "chat.completion",
        "created": 1767225600,
        "model": "deepseek-reasoner",
        "choices": [
            {"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}
        ],
        "usage": {"prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30},
    }


CALL = completion(
    {
        "content": "",
        "reasoning_content": "Paris weather: call the tool.",
        "tool_calls": [
            {
                "id": "call_00_p4R1s",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
            }
        ],
    },
    finish="tool_calls",
)
ANSWER = completion({"content": "18°C and sunny.", "reasoning_content": "Sunny: say so."})
HAIKU = completion({"content": "Sun on the Seine.", "reasoning_content": "Short haiku."})


def runtime(tmp_path: Path) -> ProviderRuntime:
    config = load_config(env={"HOME": str(tmp_path), **ENV})
    return build_runtime(config, tokens=ConfigTokenProvider(config, env=ENV))


def ask(messages: list[Message]) -> ProviderRequest:
    return ProviderRequest(model=MODEL, messages=messages, tools=[WEATHER])


def turn(response: ProviderResponse) -> Message:
    return Message(role=MessageRole.ASSISTANT, content=list(response.output.content))


def sent(route: respx.Route, index: int) -> list[dict[str, Any]]:
    body = json.loads(route.calls[index].request.content)
    validate_request("openai", "/chat/completions", body)
    messages: list[dict[str, Any]] = body["messages"]
    return messages


async def test_a_tool_turns_reasoning_goes_back_then_and_in_every_later_request(
    tmp_path: Path,
) -> None:
    user = Message(role=MessageRole.USER, content="Weather in Paris?")
    async with runtime(tmp_path) as rt:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post(URL)
            route.side_effect = [httpx.Response(200, json=body) for body in (CALL, ANSWER, HAIKU)]
            one = await rt.run(ask([user]))
            [call] = one.output.tool_calls
            result = Message(
                role=MessageRole.TOOL, content=[ToolResult(tool_call_id=call.id, content="18°C")]
            )
            two = await rt.run(ask([user, turn(one), result]))
            more = Message(role=MessageRole.USER, content="A haiku about it?")
            three = await rt.run(ask([user, turn(one), result, turn(two), more]))
    assert [(p.provider, p.model) for p in one.output.content if isinstance(p, ReasoningPart)] == [
        ("deepseek", "deepseek-reasoner")
    ]
    within = sent(route, 1)
    assert within[1]["reasoning_content"] == "Paris weather: call the tool."
    assert within[1]["tool_calls"][0]["id"] == "call_00_p4R1s"
    later = sent(route, 2)
    assert [m.get("reasoning_content") for m in later if m["role"] == "assistant"] == [
        "Paris weather: call the tool.",
        "Sunny: say so.",
    ]
    codes = {w.code for r in (two, three) for w in r.warnings}
    assert "handoff.reasoning_dropped" not in codes
    assert "unsupported.reasoning_history" not in codes


async def test_reasoning_of_a_turn_without_tool_calls_is_not_sent(tmp_path: Path) -> None:
    history = [
        Message(role=MessageRole.USER, content="Hi"),
        Message(
            role=MessageRole.ASSISTANT,
            content=[
                ReasoningPart(text="Greet back.", provider="deepseek", model="deepseek-reasoner"),
                TextPart(text="Hello!"),
            ],
        ),
        Message(role=MessageRole.USER, content="A haiku?"),
    ]
    async with runtime(tmp_path) as rt:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post(URL).respond(200, json=HAIKU)
            answer = await rt.run(ask(history))
    assert "reasoning_content" not in sent(route, 0)[1]
    [note] = [w for w in answer.warnings if w.code == "unsupported.reasoning_history"]
    assert note.details["reason"] == "no_tool_call"


async def test_another_models_reasoning_is_dropped_by_handoff_not_sent(tmp_path: Path) -> None:
    history = [
        Message(role=MessageRole.USER, content="Weather in Paris?"),
        Message(
            role=MessageRole.ASSISTANT,
            content=[
                ReasoningPart(
                    text="Use the tool.",
                    signature="EqQBCgIYAhIM",
                    provider="anthropic",
                    model="claude-sonnet-4-5",
                ),
                ToolCall(id="toolu_01A", name="get_weather", arguments={"city": "Paris"}),
            ],
        ),
        Message(
            role=MessageRole.TOOL, content=[ToolResult(tool_call_id="toolu_01A", content="18°C")]
        ),
    ]
    async with runtime(tmp_path) as rt:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post(URL).respond(200, json=ANSWER)
            answer = await rt.run(ask(history))
    assistant = sent(route, 0)[1]
    assert "reasoning_content" not in assistant and assistant["tool_calls"]
    [note] = [w for w in answer.warnings if w.code == "handoff.reasoning_dropped"]
    assert note.details["reason"] == "other_model"


def test_a_user_message_of_tool_results_only_opens_no_turn() -> None:
    """Anthropic-style histories carry tool results in user messages: those reach DeepSeek as
    `tool` messages, so the turn goes on; a user message with text starts the next one."""
    call = ToolCall(id="c1", name="get_weather", arguments={"city": "Paris"})
    messages = [
        Message(role=MessageRole.USER, content="Weather?"),
        Message(role=MessageRole.ASSISTANT, content=[call]),
        Message(role=MessageRole.USER, content=[ToolResult(tool_call_id="c1", content="18")]),
        Message(role=MessageRole.ASSISTANT, content="18°C."),
        Message(role=MessageRole.USER, content="Thanks."),
        Message(role=MessageRole.ASSISTANT, content="You're welcome."),
        Message(role=MessageRole.USER, content="Oslo?"),
        Message(role=MessageRole.ASSISTANT, content=[call]),
    ]
    assert tool_call_turns(messages) == {1, 3, 7}
