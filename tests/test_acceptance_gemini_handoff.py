"""One conversation carried Anthropic -> Gemini -> OpenAI -> Gemini, through the real runtime.

Every body the mocks receive must validate against its provider's spec copy; Gemini's thought
signatures must come back on their own parts to the Gemini model that made them, never reach
OpenAI, and a turn Gemini did not produce must carry Google's placeholder signature.
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
    ToolCall,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.credentials import ConfigTokenProvider
from provider_runtime.providers.google import PLACEHOLDER_SIGNATURE
from tests.test_contract_google import assert_valid_gemini_request

from .openapi import validate_request

ENV = {"OPENAI_API_KEY": "sk-o", "ANTHROPIC_API_KEY": "sk-a", "GEMINI_API_KEY": "gk-test"}
GEMINI = "gemini-3-pro-preview"
GEMINI_URL = f"https://generativelanguage.googleapis.com/v1beta/models/{GEMINI}:generateContent"
WEATHER = ToolDefinition(
    name="get_weather",
    description="Current weather for a city",
    parameters={"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
CALL_SIG = "CiQBjz1rX2hZQ3Nqb3dhcmQ="
TEXT_SIG = "EpwCAQ=="
CITY = {"Paris": "18 C", "Rome": "22 C", "London": "14 C", "Oslo": "3 C"}

ANTHROPIC_1 = {
    "id": "msg_1",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5-20250929",
    "content": [
        {"type": "thinking", "thinking": "Paris weather.", "signature": "EqQBCgIYAh"},
        {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {"input_tokens": 400, "output_tokens": 90},
}
GEMINI_2 = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [
                    {"text": "**Rome next** one call.", "thought": True},
                    {
                        "functionCall": {"name": "get_weather", "args": {"city": "Rome"}},
                        "thoughtSignature": CALL_SIG,
                    },
                ],
            },
            "finishReason": "STOP",
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 300,
        "candidatesTokenCount": 20,
        "thoughtsTokenCount": 60,
        "totalTokenCount": 380,
    },
    "modelVersion": GEMINI,
    "responseId": "gem-2",
}
OPENAI_3 = {
    "id": "chatcmpl-3",
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
                        "id": "call_L0nd0n",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city": "London"}'},
                    }
                ],
            },
            "logprobs": None,
            "finish_reason": "tool_calls",
        }
    ],
    "usage": {"prompt_tokens": 310, "completion_tokens": 18, "total_tokens": 328},
}
GEMINI_4 = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [{"text": "Paris 18, Rome 22, London 14.", "thoughtSignature": TEXT_SIG}],
            },
            "finishReason": "STOP",
        }
    ],
    "usageMetadata": {"promptTokenCount": 500, "candidatesTokenCount": 12, "totalTokenCount": 512},
    "modelVersion": GEMINI,
    "responseId": "gem-4",
}


@dataclass(frozen=True)
class Step:
    history: list[Message]
    response: ProviderResponse
    sent: dict[str, Any]


@pytest.fixture
def runtime(tmp_path: Path) -> ProviderRuntime:
    path = tmp_path / "config.toml"
    path.write_text("")
    config = load_config(path, env=ENV)
    return build_runtime(config, tokens=ConfigTokenProvider(config, env=ENV))


@pytest.fixture
def mock() -> Iterator[respx.MockRouter]:
    with respx.mock(assert_all_called=False) as router:
        yield router


def turn(history: list[Message], response: ProviderResponse, next_text: str) -> list[Message]:
    results = [
        ToolResult(tool_call_id=c.id, content=CITY[c.arguments["city"]])
        for c in response.output.tool_calls
    ]
    return [
        *history,
        Message(role=MessageRole.ASSISTANT, content=response.output.content),
        Message(role=MessageRole.TOOL, content=results),
        Message(role=MessageRole.USER, content=next_text),
    ]


async def call(
    runtime: ProviderRuntime, route: respx.Route, answer: dict[str, Any], **request: Any
) -> Step:
    route.mock(return_value=httpx.Response(200, json=answer))
    response = await runtime.run(ProviderRequest(tools=[WEATHER], **request))
    return Step(request["messages"], response, json.loads(route.calls.last.request.content))


@pytest.fixture
async def steps(runtime: ProviderRuntime, mock: respx.MockRouter) -> list[Step]:
    anthropic = mock.post("https://api.anthropic.com/v1/messages")
    gemini = mock.post(GEMINI_URL)
    openai = mock.post("https://api.openai.com/v1/chat/completions")
    history = [Message(role=MessageRole.USER, content="Weather in Paris?")]
    s1 = await call(
        runtime,
        anthropic,
        ANTHROPIC_1,
        model="anthropic/claude-sonnet-4-5",
        messages=history,
        reasoning=ReasoningConfig(budget_tokens=2048),
        max_output_tokens=8192,
    )
    s2 = await call(
        runtime,
        gemini,
        GEMINI_2,
        model=f"google/{GEMINI}",
        messages=turn(history, s1.response, "And Rome?"),
        reasoning=ReasoningConfig(effort="low"),
    )
    s3 = await call(
        runtime,
        openai,
        OPENAI_3,
        model="openai/gpt-4o",
        messages=turn(s2.history, s2.response, "And London?"),
    )
    s4 = await call(
        runtime,
        gemini,
        GEMINI_4,
        model=f"google/{GEMINI}",
        messages=turn(s3.history, s3.response, "Summarize."),
        reasoning=ReasoningConfig(effort="low"),
    )
    return [s1, s2, s3, s4]


def model_parts(sent: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [c["parts"] for c in sent["contents"] if c["role"] == "model"]


def test_every_body_is_valid_for_its_provider(steps: list[Step]) -> None:
    validate_request("anthropic", "/v1/messages", steps[0].sent)
    assert_valid_gemini_request(steps[1].sent, GEMINI)
    validate_request("openai", "/chat/completions", steps[2].sent)
    assert_valid_gemini_request(steps[3].sent, GEMINI)


def test_gemini_answer_keeps_the_signature_on_its_call_not_in_its_id(steps: list[Step]) -> None:
    response = steps[1].response
    call = response.output.tool_calls[0]
    assert call.signature is not None and call.signature.value == CALL_SIG
    assert (call.signature.provider, call.signature.model) == ("google", GEMINI)
    assert CALL_SIG not in call.id
    assert response.finish_reason == FinishReason.TOOL_CALLS
    assert response.usage.output_tokens == 80 and response.usage.reasoning_tokens == 60


def test_step2_gemini_gets_a_placeholder_for_anthropics_call(steps: list[Step]) -> None:
    (anthropic_turn,) = model_parts(steps[1].sent)
    assert anthropic_turn == [
        {
            "functionCall": {"id": "toolu_01A", "name": "get_weather", "args": {"city": "Paris"}},
            "thoughtSignature": PLACEHOLDER_SIGNATURE,
        }
    ]
    codes = [w.code for w in steps[1].response.warnings]
    assert "handoff.reasoning_dropped" in codes and "unsupported.thought_signature" in codes


def test_step3_openai_never_sees_a_signature(steps: list[Step]) -> None:
    sent = json.dumps(steps[2].sent)
    assert CALL_SIG not in sent and "thoughtSignature" not in sent
    dropped = [w for w in steps[2].response.warnings if w.code == "handoff.reasoning_dropped"]
    assert {w.details.get("part_type", "reasoning") for w in dropped} == {"reasoning", "tool_call"}
    ids = [c["id"] for m in steps[2].sent["messages"] for c in m.get("tool_calls", [])]
    assert ids == ["toolu_01A", steps[1].response.output.tool_calls[0].id]


def test_step4_gemini_replays_its_own_thought_and_signature_only(steps: list[Step]) -> None:
    anthropic_turn, gemini_turn, openai_turn = model_parts(steps[3].sent)
    assert anthropic_turn[0]["thoughtSignature"] == PLACEHOLDER_SIGNATURE
    assert gemini_turn[0] == {"text": "**Rome next** one call.", "thought": True}
    assert gemini_turn[1]["thoughtSignature"] == CALL_SIG
    assert gemini_turn[1]["functionCall"]["args"] == {"city": "Rome"}
    assert openai_turn[0]["thoughtSignature"] == PLACEHOLDER_SIGNATURE
    assert openai_turn[0]["functionCall"]["id"] == "call_L0nd0n"
    text = steps[3].response.output.content[0]
    assert text.signature is not None and text.signature.value == TEXT_SIG
    assert not isinstance(text, ToolCall)
