"""Stage 25: one conversation carried Anthropic -> OpenAI -> OpenRouter -> Anthropic.

At each step the body the mock receives must validate against that provider's official schema,
the handoff warnings must describe every change, and the last answer must be priced from the
right source. The native bodies below follow the providers' API references.
"""

from __future__ import annotations

import itertools
import json
import re
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


@respx.mock
async def test_one_conversation_across_four_providers(runtime: ProviderRuntime) -> None:
    anthropic = respx.post("https://api.anthropic.com/v1/messages")
    openai = respx.post("https://api.openai.com/v1/chat/completions")
    openrouter = respx.post("https://openrouter.ai/api/v1/chat/completions")
    for body, schema in ((ANTHROPIC_STEP_1, "Message"), (ANTHROPIC_STEP_4, "Message")):
        validate("anthropic", schema, body)
    validate("openai", "CreateChatCompletionResponse", OPENAI_STEP_2)

    # 1. Anthropic, with thinking and a tool call.
    anthropic.mock(return_value=httpx.Response(200, json=ANTHROPIC_STEP_1))
    history = [
        Message(role=MessageRole.SYSTEM, content="You are a weather assistant."),
        Message(role=MessageRole.USER, content="Weather in Paris?"),
    ]
    step1 = await runtime.run(
        ProviderRequest(
            model="anthropic/claude-sonnet-4-5",
            messages=history,
            tools=[WEATHER],
            reasoning=ReasoningConfig(budget_tokens=2048),
            max_output_tokens=8192,
        )
    )
    sent1 = json.loads(anthropic.calls.last.request.content)
    validate_request("anthropic", "/v1/messages", sent1)
    assert sent1["thinking"] == {"type": "enabled", "budget_tokens": 2048}
    assert step1.finish_reason == FinishReason.TOOL_CALLS
    thinking = step1.output.content[0]
    assert isinstance(thinking, ReasoningPart) and thinking.signature == SIGNATURE
    assert (thinking.provider, thinking.model) == ("anthropic", "claude-sonnet-4-5")

    # 2. OpenAI: the foreign thinking block cannot be replayed and is dropped, with a warning.
    openai.mock(return_value=httpx.Response(200, json=OPENAI_STEP_2))
    history = turn(history, step1, WEATHER_BY_CITY, "And London?")
    step2 = await runtime.run(
        ProviderRequest(model="openai/gpt-4o", messages=history, tools=[WEATHER])
    )
    sent2 = json.loads(openai.calls.last.request.content)
    validate_request("openai", "/chat/completions", sent2)
    assert "handoff.reasoning_dropped" in codes(step2)
    assert SIGNATURE not in json.dumps(sent2)
    assistant = next(m for m in sent2["messages"] if m["role"] == "assistant")
    assert assistant["tool_calls"][0]["id"] == "toolu_01A09q90qw90lq917835lq9"  # fits: kept
    tool_msg = next(m for m in sent2["messages"] if m["role"] == "tool")
    assert tool_msg["tool_call_id"] == "toolu_01A09q90qw90lq917835lq9"

    # 3. OpenRouter (Kimi): tool-call ids in its style come back; cost is reported by OpenRouter.
    openrouter.mock(return_value=httpx.Response(200, json=OPENROUTER_STEP_3))
    history = turn(history, step2, WEATHER_BY_CITY, "And Berlin?")
    step3 = await runtime.run(
        ProviderRequest(
            model="openrouter/moonshotai/kimi-k2-thinking", messages=history, tools=[WEATHER]
        )
    )
    sent3 = json.loads(openrouter.calls.last.request.content)
    validate_request("openrouter", "/chat/completions", sent3)
    assert sent3["model"] == "moonshotai/kimi-k2-thinking"
    assert step3.output.tool_calls[0].id == KIMI_CALL_ID
    assert step3.cost is not None and step3.cost.source == PricingSource.PROVIDER_REPORTED

    # 4. Back to Anthropic: its own thinking block is replayed with its signature; Kimi's id
    # does not fit Anthropic's pattern and is rewritten, its result following the new id.
    anthropic.mock(return_value=httpx.Response(200, json=ANTHROPIC_STEP_4))
    history = turn(history, step3, WEATHER_BY_CITY, "Summarize all three.")
    step4 = await runtime.run(
        ProviderRequest(model="anthropic/claude-sonnet-4-5", messages=history, tools=[WEATHER])
    )
    sent4 = json.loads(anthropic.calls.last.request.content)
    validate_request("anthropic", "/v1/messages", sent4)
    assert sent4["system"] in (
        "You are a weather assistant.",
        [{"type": "text", "text": "You are a weather assistant."}],
    )
    blocks = [b for m in sent4["messages"] for b in m["content"] if isinstance(b, dict)]
    replayed = [b for b in blocks if b["type"] == "thinking"]
    assert replayed == [
        {"type": "thinking", "thinking": "The user wants Paris weather.", "signature": SIGNATURE}
    ]
    uses = [b["id"] for b in blocks if b["type"] == "tool_use"]
    results = [b["tool_use_id"] for b in blocks if b["type"] == "tool_result"]
    assert all(re.fullmatch(r"[a-zA-Z0-9_-]+", i) for i in uses)
    assert KIMI_CALL_ID not in uses and results == uses
    rewritten = [w for w in step4.warnings if w.code == "handoff.tool_call_id_rewritten"]
    assert len(rewritten) == 1 and KIMI_CALL_ID in json.dumps(rewritten[0].details)
    assert "handoff.reasoning_dropped" in codes(step4)  # Kimi's reasoning is not Anthropic's
    roles = [m["role"] for m in sent4["messages"]]
    assert all(a != b for a, b in itertools.pairwise(roles))

    # The final answer is priced from the bundled catalog (claude-sonnet-4-5:
    # $3/M input, $3.75/M cache write, $0.30/M cache read, $15/M output).
    assert step4.output.text.startswith("Paris 18°C")
    assert step4.usage.input_tokens == 800
    assert step4.cost is not None and step4.cost.source == PricingSource.CATALOG
    assert step4.cost.snapshot and "genai-prices" in step4.cost.snapshot
    expected = (100 * 3 + 200 * Decimal("3.75") + 500 * Decimal("0.3") + 30 * 15) / Decimal(10**6)
    assert step4.cost.total == expected
