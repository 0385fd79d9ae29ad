"""Stage 25: one conversation carried Anthropic -> OpenAI -> OpenRouter -> Anthropic.

At each step the body the mock receives must validate against that provider's official schema,
the handoff warnings must describe every change, and the last answer must be priced from the
right source. The native bodies below follow the providers' API references. Each step is a
fixture built on the one before, and each property a test of its own, so one failure does not
hide the others.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

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
    PricingSource,
    ProviderRequest,
    ProviderResponse,
    ReasoningConfig,
    ReasoningPart,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.credentials import ConfigTokenProvider

from .openapi import validate, validate_request

ENV = {"OPENAI_API_KEY": "sk-o", "ANTHROPIC_API_KEY": "sk-a", "OPENROUTER_API_KEY": "sk-r"}
WEATHER = ToolDefinition(
    name="get_weather",
    description="Current weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
SIGNATURE = "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds"
KIMI_CALL_ID = "functions.get_weather:0"  # the id style Kimi models return through OpenRouter

ANTHROPIC_STEP_1 = {
    "id": "msg_01Aq9w938a90dw8q",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5-20250929",
    "content": [
        {"type": "thinking", "thinking": "The user wants Paris weather.", "signature": SIGNATURE},
        {
            "type": "tool_use",
            "id": "toolu_01A09q90qw90lq917835lq9",
            "name": "get_weather",
            "input": {"city": "Paris"},
        },
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 420,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "output_tokens": 95,
        "cache_creation": None,
        "server_tool_use": None,
        "service_tier": "standard",
    },
}
OPENAI_STEP_2 = {
    "id": "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
    "object": "chat.completion",
    "created": 1741570283,
    "model": "gpt-4o-2024-08-06",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": None,
                "refusal": None,
                "tool_calls": [
                    {
                        "id": "call_Vx2a8Yb2ZkKjL5d0Q1r7TnMp",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "London"}'},
                    }
                ],
            },
            "logprobs": None,
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {
        "prompt_tokens": 310,
        "completion_tokens": 18,
        "total_tokens": 328,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
    },
}
OPENROUTER_STEP_3 = {
    "id": "gen-1741570299-abcdefghijk",
    "object": "chat.completion",
    "created": 1741570299,
    "model": "moonshotai/kimi-k2-thinking",
    "provider": "Moonshot AI",
    "choices": [
        {
            "index": 0,
            "finish_reason": "tool_calls",
            "native_finish_reason": "tool_calls",
            "message": {
                "role": "assistant",
                "content": "",
                "reasoning": "Berlin next.",
                "reasoning_details": [
                    {
                        "type": "reasoning.text",
                        "text": "Berlin next.",
                        "format": "unknown",
                        "index": 0,
                    }
                ],
                "tool_calls": [
                    {
                        "id": KIMI_CALL_ID,
                        "type": "function",
                        "index": 0,
                        "function": {"name": "get_weather", "arguments": '{"city":"Berlin"}'},
                    }
                ],
            },
        }
    ],
    "usage": {"prompt_tokens": 350, "completion_tokens": 40, "total_tokens": 390, "cost": 0.000412},
}
ANTHROPIC_STEP_4 = {
    "id": "msg_01Bq9w938a90dw8r",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5-20250929",
    "content": [
        {"type": "text", "text": "Paris 18°C, London 14°C, Berlin 12°C.", "citations": None}
    ],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 100,
        "cache_creation_input_tokens": 200,
        "cache_read_input_tokens": 500,
        "output_tokens": 30,
        "cache_creation": {"ephemeral_5m_input_tokens": 200, "ephemeral_1h_input_tokens": 0},
        "server_tool_use": None,
        "service_tier": "standard",
    },
}


@pytest.fixture
def runtime(tmp_path: Path) -> ProviderRuntime:
    path = tmp_path / "config.toml"
    path.write_text("")
    config = load_config(path, env=ENV)
    return build_runtime(config, tokens=ConfigTokenProvider(config, env=ENV))


def results_for(response: ProviderResponse, weather: dict[str, str]) -> Message:
    calls = response.output.tool_calls
    return Message(
        role=MessageRole.TOOL,
        content=[
            ToolResult(tool_call_id=c.id, content=weather[c.arguments["city"]]) for c in calls
        ],
    )


def turn(
    history: list[Message], response: ProviderResponse, weather: dict[str, str], next_text: str
) -> list[Message]:
    return [
        *history,
        Message(role=MessageRole.ASSISTANT, content=response.output.content),
        results_for(response, weather),
        Message(role=MessageRole.USER, content=next_text),
    ]


WEATHER_BY_CITY = {"Paris": "18°C, sunny", "London": "14°C, rain", "Berlin": "12°C, cloudy"}


def codes(response: ProviderResponse) -> list[str]:
    return [w.code for w in response.warnings]


@dataclass(frozen=True)
class Routes:
    anthropic: respx.Route
    openai: respx.Route
    openrouter: respx.Route


@dataclass(frozen=True)
class Step:
    """One call of the conversation: the history it was sent, its answer, the native body."""

    history: list[Message]
    response: ProviderResponse
    sent: dict[str, object]


@pytest.fixture
def routes() -> Iterator[Routes]:
    with respx.mock(assert_all_called=False) as mock:
        yield Routes(
            anthropic=mock.post("https://api.anthropic.com/v1/messages"),
            openai=mock.post("https://api.openai.com/v1/chat/completions"),
            openrouter=mock.post("https://openrouter.ai/api/v1/chat/completions"),
        )


async def _call(
    runtime: ProviderRuntime, route: respx.Route, answer: dict[str, object], **request: object
) -> Step:
    route.mock(return_value=httpx.Response(200, json=answer))
    response = await runtime.run(ProviderRequest(**request))
    history = request["messages"]
    assert isinstance(history, list)
    return Step(history, response, json.loads(route.calls.last.request.content))


@pytest.fixture
async def step1(runtime: ProviderRuntime, routes: Routes) -> Step:
    """Anthropic, with thinking and a tool call."""
    history = [
        Message(role=MessageRole.SYSTEM, content="You are a weather assistant."),
        Message(role=MessageRole.USER, content="Weather in Paris?"),
    ]
    return await _call(
        runtime,
        routes.anthropic,
        ANTHROPIC_STEP_1,
        model="anthropic/claude-sonnet-4-5",
        messages=history,
        tools=[WEATHER],
        reasoning=ReasoningConfig(budget_tokens=2048),
        max_output_tokens=8192,
    )


@pytest.fixture
async def step2(runtime: ProviderRuntime, routes: Routes, step1: Step) -> Step:
    """OpenAI, after Anthropic's thinking and tool call."""
    history = turn(step1.history, step1.response, WEATHER_BY_CITY, "And London?")
    return await _call(
        runtime,
        routes.openai,
        OPENAI_STEP_2,
        model="openai/gpt-4o",
        messages=history,
        tools=[WEATHER],
    )


@pytest.fixture
async def step3(runtime: ProviderRuntime, routes: Routes, step2: Step) -> Step:
    """OpenRouter (Kimi), whose tool-call ids have their own style."""
    history = turn(step2.history, step2.response, WEATHER_BY_CITY, "And Berlin?")
    return await _call(
        runtime,
        routes.openrouter,
        OPENROUTER_STEP_3,
        model="openrouter/moonshotai/kimi-k2-thinking",
        messages=history,
        tools=[WEATHER],
    )


@pytest.fixture
async def step4(runtime: ProviderRuntime, routes: Routes, step3: Step) -> Step:
    """Back to Anthropic."""
    history = turn(step3.history, step3.response, WEATHER_BY_CITY, "Summarize all three.")
    return await _call(
        runtime,
        routes.anthropic,
        ANTHROPIC_STEP_4,
        model="anthropic/claude-sonnet-4-5",
        messages=history,
        tools=[WEATHER],
    )


def _blocks(sent: dict[str, object]) -> list[dict[str, object]]:
    messages = sent["messages"]
    assert isinstance(messages, list)
    return [b for m in messages for b in m["content"] if isinstance(b, dict)]


def test_the_recorded_answers_follow_the_official_schemas() -> None:
    for body in (ANTHROPIC_STEP_1, ANTHROPIC_STEP_4):
        validate("anthropic", "Message", body)
    validate("openai", "CreateChatCompletionResponse", OPENAI_STEP_2)


def test_each_body_sent_is_valid_for_its_provider(
    step1: Step, step2: Step, step3: Step, step4: Step
) -> None:
    validate_request("anthropic", "/v1/messages", step1.sent)
    validate_request("openai", "/chat/completions", step2.sent)
    validate_request("openrouter", "/chat/completions", step3.sent)
    validate_request("anthropic", "/v1/messages", step4.sent)


def test_step1_anthropic_thinks_and_returns_its_signed_reasoning(step1: Step) -> None:
    assert step1.sent["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert step1.response.finish_reason == FinishReason.TOOL_CALLS
    thinking = step1.response.output.content[0]
    assert isinstance(thinking, ReasoningPart) and thinking.signature == SIGNATURE
    assert (thinking.provider, thinking.model) == ("anthropic", "claude-sonnet-4-5")


def test_step2_openai_gets_no_foreign_thinking_and_is_told_so(step2: Step) -> None:
    assert "handoff.reasoning_dropped" in codes(step2.response)
    assert SIGNATURE not in json.dumps(step2.sent)


def test_step2_openai_keeps_tool_call_ids_that_fit(step2: Step) -> None:
    messages = step2.sent["messages"]
    assert isinstance(messages, list)
    assistant = next(m for m in messages if m["role"] == "assistant")
    assert assistant["tool_calls"][0]["id"] == "toolu_01A09q90qw90lq917835lq9"
    tool_msg = next(m for m in messages if m["role"] == "tool")
    assert tool_msg["tool_call_id"] == "toolu_01A09q90qw90lq917835lq9"


def test_step3_openrouter_returns_kimi_ids_and_its_own_cost(step3: Step) -> None:
    assert step3.sent["model"] == "moonshotai/kimi-k2-thinking"
    assert step3.response.output.tool_calls[0].id == KIMI_CALL_ID
    cost = step3.response.cost
    assert cost is not None and cost.source == PricingSource.PROVIDER_REPORTED


def test_step4_anthropic_replays_its_own_signed_thinking(step4: Step) -> None:
    assert step4.sent["system"] in (
        "You are a weather assistant.",
        [{"type": "text", "text": "You are a weather assistant."}],
    )
    replayed = [b for b in _blocks(step4.sent) if b["type"] == "thinking"]
    assert replayed == [
        {"type": "thinking", "thinking": "The user wants Paris weather.", "signature": SIGNATURE}
    ]
    assert "handoff.reasoning_dropped" in codes(step4.response)  # Kimi's is not Anthropic's


def test_step4_rewrites_the_kimi_id_and_its_result_follows(step4: Step) -> None:
    blocks = _blocks(step4.sent)
    uses = [b["id"] for b in blocks if b["type"] == "tool_use"]
    results = [b["tool_use_id"] for b in blocks if b["type"] == "tool_result"]
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]+", str(i)) for i in uses)
    assert KIMI_CALL_ID not in uses and results == uses
    rewritten = [w for w in step4.response.warnings if w.code == "handoff.tool_call_id_rewritten"]
    assert len(rewritten) == 1 and KIMI_CALL_ID in json.dumps(rewritten[0].details)


def test_step4_roles_alternate_as_anthropic_requires(step4: Step) -> None:
    messages = step4.sent["messages"]
    assert isinstance(messages, list)
    roles = [m["role"] for m in messages]
    assert roles[0] == "user"
    assert all(a != b for a, b in itertools.pairwise(roles))


def test_step4_the_final_answer_is_priced_from_the_bundled_catalog(step4: Step) -> None:
    # claude-sonnet-4-5: $3/M input, $3.75/M cache write, $0.30/M cache read, $15/M output.
    response = step4.response
    assert response.output.text.startswith("Paris 18°C")
    assert response.usage.input_tokens == 800
    assert response.cost is not None and response.cost.source == PricingSource.CATALOG
    assert response.cost.snapshot and "genai-prices" in response.cost.snapshot
    expected = (100 * 3 + 200 * Decimal("3.75") + 500 * Decimal("0.3") + 30 * 15) / Decimal(10**6)
    assert response.cost.total == expected
