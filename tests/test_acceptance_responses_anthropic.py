"""Issue 18 acceptance: a conversation with reasoning and tool calls moves
OpenAI Responses (a call, then its answer) -> Anthropic -> OpenAI Responses.

Each body the mocks receive must validate against its provider's official request schema
(`CreateResponse`, Anthropic's `/v1/messages`). OpenAI's encrypted reasoning is replayed
verbatim only to OpenAI's same model, in its place before the function call it preceded;
Anthropic's signed thinking goes only to Anthropic. Each step is a fixture built on the one
before, and each property a test of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from provider_runtime import ProviderRuntime
from provider_runtime.assembly import build_runtime
from provider_runtime.config import load_config
from provider_runtime.core import (
    FinishReason,
    Message,
    MessageRole,
    ProviderRequest,
    ProviderResponse,
    ReasoningConfig,
    ReasoningPart,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.credentials import ConfigTokenProvider

from .openapi import validate, validate_request

ENV = {"OPENAI_API_KEY": "sk-o", "ANTHROPIC_API_KEY": "sk-a"}
WEATHER = ToolDefinition(
    name="get_weather",
    description="Current weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
ENCRYPTED = "gAAAAABoX3kR-encrypted-o3-reasoning=="
SIGNATURE = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"
WEATHER_BY_CITY = {"Paris": "18°C, sunny", "London": "14°C, rain"}

RESPONSES_STEP_1 = {
    "id": "resp_step1",
    "object": "response",
    "created_at": 1767225600,
    "status": "completed",
    "error": None,
    "incomplete_details": None,
    "instructions": None,
    "model": "o3-2025-04-16",
    "output": [
        {
            "type": "reasoning",
            "id": "rs_step1",
            "summary": [{"type": "summary_text", "text": "Paris weather: call the tool."}],
            "encrypted_content": ENCRYPTED,
        },
        {
            "type": "function_call",
            "id": "fc_step1",
            "call_id": "call_p4R1s",
            "name": "get_weather",
            "arguments": '{"city":"Paris"}',
            "status": "completed",
        },
    ],
    "parallel_tool_calls": True,
    "metadata": {},
    "tool_choice": "auto",
    "tools": [],
    "temperature": 1.0,
    "top_p": 1.0,
    "store": False,
    "usage": {
        "input_tokens": 90,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": 210,
        "output_tokens_details": {"reasoning_tokens": 192},
        "total_tokens": 300,
    },
}
ANTHROPIC_STEP_3 = {
    "id": "msg_01Step3",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5-20250929",
    "content": [
        {"type": "thinking", "thinking": "Now London.", "signature": SIGNATURE},
        {
            "type": "tool_use",
            "id": "toolu_01London",
            "name": "get_weather",
            "input": {"city": "London"},
        },
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 400,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 60,
        "cache_creation": None,
        "server_tool_use": None,
        "service_tier": "standard",
    },
}


def _answer(resp_id: str, text: str, reasoning: list[dict[str, Any]]) -> dict[str, Any]:
    message = {
        "type": "message",
        "id": f"msg_{resp_id}",
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
    }
    return {**RESPONSES_STEP_1, "id": resp_id, "output": [*reasoning, message]}


ENCRYPTED_2 = "gAAAAABoX3kR-second-o3-reasoning=="
RESPONSES_STEP_2 = _answer(
    "resp_step2",
    "Paris: 18°C, sunny.",
    [{"type": "reasoning", "id": "rs_step2", "summary": [], "encrypted_content": ENCRYPTED_2}],
)
RESPONSES_STEP_4 = _answer("resp_step4", "Paris 18°C, London 14°C.", [])


@dataclass(frozen=True)
class Step:
    history: list[Message]
    response: ProviderResponse
    sent: dict[str, Any]


@dataclass(frozen=True)
class Routes:
    responses: respx.Route
    anthropic: respx.Route


@pytest.fixture
def runtime(tmp_path: Path) -> ProviderRuntime:
    path = tmp_path / "config.toml"
    path.write_text("")
    config = load_config(path, env=ENV)
    return build_runtime(config, tokens=ConfigTokenProvider(config, env=ENV))


@pytest.fixture
def routes() -> Iterator[Routes]:
    with respx.mock(assert_all_called=False) as mock:
        yield Routes(
            responses=mock.post("https://api.openai.com/v1/responses"),
            anthropic=mock.post("https://api.anthropic.com/v1/messages"),
        )


def turn(
    history: list[Message], response: ProviderResponse, next_text: str | None
) -> list[Message]:
    """The history after ``response``: its tool results, else the user's next message."""
    results = [
        ToolResult(tool_call_id=c.id, content=WEATHER_BY_CITY[c.arguments["city"]])
        for c in response.output.tool_calls
    ]
    answered = [Message(role=MessageRole.TOOL, content=results)] if results else []
    asked = [Message(role=MessageRole.USER, content=next_text)] if next_text else []
    return [
        *history,
        Message(role=MessageRole.ASSISTANT, content=response.output.content),
        *answered,
        *asked,
    ]


async def _call(
    runtime: ProviderRuntime, route: respx.Route, answer: dict[str, Any], **request: Any
) -> Step:
    route.mock(return_value=httpx.Response(200, json=answer))
    response = await runtime.run(ProviderRequest(**request))
    return Step(request["messages"], response, json.loads(route.calls.last.request.content))


@pytest.fixture
async def step1(runtime: ProviderRuntime, routes: Routes) -> Step:
    """OpenAI o3 over Responses (api auto: a catalog reasoning model): reasoning + a call."""
    history = [
        Message(role=MessageRole.SYSTEM, content="You are a weather assistant."),
        Message(role=MessageRole.USER, content="Weather in Paris?"),
    ]
    return await _call(
        runtime,
        routes.responses,
        RESPONSES_STEP_1,
        model="openai/o3",
        messages=history,
        tools=[WEATHER],
        reasoning=ReasoningConfig(effort="medium"),
    )


@pytest.fixture
async def step2(runtime: ProviderRuntime, routes: Routes, step1: Step) -> Step:
    """OpenAI o3 again, with the tool's result: its own reasoning goes back verbatim."""
    return await _call(
        runtime,
        routes.responses,
        RESPONSES_STEP_2,
        model="openai/o3",
        messages=turn(step1.history, step1.response, None),
        tools=[WEATHER],
        reasoning=ReasoningConfig(effort="medium"),
    )


@pytest.fixture
async def step3(runtime: ProviderRuntime, routes: Routes, step2: Step) -> Step:
    """Anthropic with thinking, after OpenAI's encrypted reasoning and its tool call."""
    return await _call(
        runtime,
        routes.anthropic,
        ANTHROPIC_STEP_3,
        model="anthropic/claude-sonnet-4-5",
        messages=turn(step2.history, step2.response, "And London?"),
        tools=[WEATHER],
        reasoning=ReasoningConfig(budget_tokens=2048),
        max_output_tokens=8192,
    )


@pytest.fixture
async def step4(runtime: ProviderRuntime, routes: Routes, step3: Step) -> Step:
    """Back to OpenAI o3 over Responses."""
    return await _call(
        runtime,
        routes.responses,
        RESPONSES_STEP_4,
        model="openai/o3",
        messages=turn(step3.history, step3.response, None),
        tools=[WEATHER],
        reasoning=ReasoningConfig(effort="medium"),
    )


def _reasoning_items(sent: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in sent["input"] if i["type"] == "reasoning"]


def test_the_recorded_answers_follow_the_official_schemas() -> None:
    for answer in (RESPONSES_STEP_1, RESPONSES_STEP_2, RESPONSES_STEP_4):
        validate("openai", "Response", answer)
    validate("anthropic", "Message", ANTHROPIC_STEP_3)


def test_each_body_sent_is_valid_for_its_provider(
    step1: Step, step2: Step, step3: Step, step4: Step
) -> None:
    validate_request("openai", "/responses", step1.sent)
    validate_request("openai", "/responses", step2.sent)
    validate_request("anthropic", "/v1/messages", step3.sent)
    validate_request("openai", "/responses", step4.sent)


def test_step1_is_stateless_and_asks_for_encrypted_reasoning(step1: Step) -> None:
    assert step1.sent["store"] is False
    assert "reasoning.encrypted_content" in step1.sent["include"]
    reasoning = step1.response.output.content[0]
    assert isinstance(reasoning, ReasoningPart) and reasoning.data == ENCRYPTED
    assert (reasoning.provider, reasoning.model) == ("openai", "o3")
    assert step1.response.finish_reason == FinishReason.TOOL_CALLS


def test_step2_replays_its_own_reasoning_before_the_call(step2: Step) -> None:
    kinds = [i["type"] for i in step2.sent["input"] if i["type"] != "message"]
    assert kinds == ["reasoning", "function_call", "function_call_output"]
    assert _reasoning_items(step2.sent) == [RESPONSES_STEP_1["output"][0]]


def test_step3_anthropic_thinks_without_openai_reasoning_and_is_told_so(step3: Step) -> None:
    assert ENCRYPTED not in json.dumps(step3.sent) and ENCRYPTED_2 not in json.dumps(step3.sent)
    assert "handoff.reasoning_dropped" in [w.code for w in step3.response.warnings]
    assert step3.sent["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    blocks = [b for m in step3.sent["messages"] for b in m["content"] if isinstance(b, dict)]
    uses = [b["id"] for b in blocks if b["type"] == "tool_use"]
    assert uses == ["call_p4R1s"]  # fits Anthropic's id pattern: kept
    thinking = step3.response.output.content[0]
    assert isinstance(thinking, ReasoningPart) and thinking.signature == SIGNATURE


def test_step4_replays_openai_reasoning_in_place_and_drops_anthropic_thinking(
    step4: Step,
) -> None:
    items = step4.sent["input"]
    kinds = [(i["type"], i.get("call_id") or i.get("id") or i["role"]) for i in items]
    assert kinds == [
        ("message", "developer"),  # the system prompt (§6 OpenAI Responses)
        ("message", "user"),
        ("reasoning", "rs_step1"),
        ("function_call", "call_p4R1s"),
        ("function_call_output", "call_p4R1s"),
        ("reasoning", "rs_step2"),
        ("message", "assistant"),
        ("message", "user"),
        ("function_call", "toolu_01London"),
        ("function_call_output", "toolu_01London"),
    ]
    assert _reasoning_items(step4.sent) == [
        RESPONSES_STEP_1["output"][0],
        RESPONSES_STEP_2["output"][0],
    ]
    assert SIGNATURE not in json.dumps(step4.sent)
    assert "handoff.reasoning_dropped" in [w.code for w in step4.response.warnings]
    assert step4.response.output.text == "Paris 18°C, London 14°C."
