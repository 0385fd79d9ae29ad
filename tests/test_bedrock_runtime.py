"""Bedrock through the runtime (respx): the handoff pass makes any history valid for Converse
(first message from the user, strict alternation, tool ids that fit), and reasoning is replayed
byte-identical, in place, only to the provider and model that produced it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import respx

from provider_runtime.assembly import build_runtime
from provider_runtime.config import load_config
from provider_runtime.core.types import (
    Message,
    MessageRole,
    ProviderRequest,
    ReasoningPart,
    TextPart,
    ToolCall,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.credentials import ConfigTokenProvider
from provider_runtime.runtime import ProviderRuntime
from tests.service_model import validate_converse_request

SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"
HAIKU = "anthropic.claude-haiku-4-5-20251001-v1:0"
BASE = "https://bedrock-runtime.eu-central-1.amazonaws.com"
SIG = "EqQBCgIYAhIMsignedByBedrockForThisModelOnly0123456789abcdefABCDEF+/="
SIGNED = {"reasoningContent": {"reasoningText": {"text": "Use the tool.", "signature": SIG}}}
ENV = {"AWS_BEARER_TOKEN_BEDROCK": "bedrock-key-test-123", "AWS_REGION": "eu-central-1"}


def _converse(content: list[dict[str, Any]], stop: str = "end_turn") -> dict[str, Any]:
    return {
        "output": {"message": {"role": "assistant", "content": content}},
        "stopReason": stop,
        "usage": {"inputTokens": 50, "outputTokens": 10, "totalTokens": 60},
        "metrics": {"latencyMs": 9},
    }


def _runtime(tmp_path: Path) -> ProviderRuntime:
    path = tmp_path / "config.toml"
    path.write_text("[providers.bedrock]\nmax_retries = 0\n")
    config = load_config(path, env=ENV)
    return build_runtime(config, tokens=ConfigTokenProvider(config, env=ENV))


def _url(model: str) -> str:
    return f"{BASE}/model/{model.replace(':', '%3A')}/converse"


def _roles(body: dict[str, Any]) -> list[str]:
    return [turn["role"] for turn in body["messages"]]


@respx.mock
async def test_a_history_from_elsewhere_becomes_valid_converse(tmp_path: Path) -> None:
    route = respx.post(_url(SONNET)).respond(
        200, json=_converse([{"text": "ok"}]), headers={"x-amzn-RequestId": "r-1"}
    )
    long_id = "call_" + "x" * 70 + "|openai"  # too long and `|` is not a ToolUseId character
    request = ProviderRequest(
        model=f"bedrock/{SONNET}",
        messages=[
            Message(role=MessageRole.ASSISTANT, content="Hello, how can I help?"),
            Message(role=MessageRole.USER, content="Search cats."),
            Message(role=MessageRole.USER, content="Quickly."),
            Message(
                role=MessageRole.ASSISTANT,
                content=[ToolCall(id=long_id, name="search", arguments={"q": "cats"})],
            ),
            Message(
                role=MessageRole.TOOL,
                content=[ToolResult(tool_call_id=long_id, content="many cats")],
            ),
            Message(role=MessageRole.SYSTEM, content="Be brief."),
        ],
        tools=[ToolDefinition(name="search", parameters={"type": "object"})],
    )
    resp = await _runtime(tmp_path).run(request)
    body = json.loads(route.calls.last.request.content)
    validate_converse_request(SONNET, body)
    assert _roles(body) == ["user", "assistant", "user", "assistant", "user"]
    assert body["system"] == [{"text": "Be brief."}]
    new_id = body["messages"][3]["content"][0]["toolUse"]["toolUseId"]
    assert new_id != long_id and len(new_id) <= 64
    assert body["messages"][4]["content"][0]["toolResult"]["toolUseId"] == new_id
    codes = {w.code for w in resp.warnings}
    assert {"handoff.leading_assistant", "handoff.tool_call_id_rewritten"} <= codes
    assert (resp.model, resp.request_id, resp.usage.input_tokens) == (SONNET, "r-1", 50)


@respx.mock
async def test_reasoning_is_replayed_verbatim_in_place_only_to_its_model(tmp_path: Path) -> None:
    rt = _runtime(tmp_path)
    respx.post(_url(SONNET)).respond(
        200,
        json=_converse(
            [
                {
                    "reasoningContent": {
                        "reasoningText": {"text": "Use the tool.", "signature": SIG}
                    }
                },
                {"reasoningContent": {"redactedContent": "cmVkYWN0ZWQ="}},
                {"toolUse": {"toolUseId": "tooluse_1", "name": "calc", "input": {"e": "2+2"}}},
            ],
            "tool_use",
        ),
    )
    tools = [ToolDefinition(name="calc", parameters={"type": "object"})]
    first = await rt.run(
        ProviderRequest(
            model=f"bedrock/{SONNET}",
            messages=[Message(role=MessageRole.USER, content="2+2?")],
            tools=tools,
        )
    )
    reasoning = [p for p in first.output.content if isinstance(p, ReasoningPart)]
    assert [(p.provider, p.model, p.signature, p.redacted) for p in reasoning] == [
        ("bedrock", SONNET, SIG, False),
        ("bedrock", SONNET, None, True),
    ]
    history = [
        Message(role=MessageRole.USER, content="2+2?"),
        Message(role=MessageRole.ASSISTANT, content=list(first.output.content)),
        Message(role=MessageRole.TOOL, content=[ToolResult(tool_call_id="tooluse_1", content="4")]),
    ]

    again = respx.post(_url(SONNET)).respond(200, json=_converse([{"text": "4"}]))
    await rt.run(ProviderRequest(model=f"bedrock/{SONNET}", messages=history, tools=tools))
    sent = json.loads(again.calls.last.request.content)
    validate_converse_request(SONNET, sent)
    assert sent["messages"][1]["content"] == [
        SIGNED,
        {"reasoningContent": {"redactedContent": "cmVkYWN0ZWQ="}},
        {"toolUse": {"toolUseId": "tooluse_1", "name": "calc", "input": {"e": "2+2"}}},
    ]

    other = respx.post(_url(HAIKU)).respond(200, json=_converse([{"text": "4"}]))
    resp = await rt.run(ProviderRequest(model=f"bedrock/{HAIKU}", messages=history, tools=tools))
    sent = json.loads(other.calls.last.request.content)
    assert sent["messages"][1]["content"] == [
        {"toolUse": {"toolUseId": "tooluse_1", "name": "calc", "input": {"e": "2+2"}}}
    ]
    dropped = [w for w in resp.warnings if w.code == "handoff.reasoning_dropped"]
    assert len(dropped) == 2


@respx.mock
async def test_reasoning_from_anthropic_direct_is_not_sent_to_bedrock(tmp_path: Path) -> None:
    route = respx.post(_url(SONNET)).respond(200, json=_converse([{"text": "fine"}]))
    request = ProviderRequest(
        model=f"bedrock/{SONNET}",
        messages=[
            Message(role=MessageRole.USER, content="hi"),
            Message(
                role=MessageRole.ASSISTANT,
                content=[
                    ReasoningPart(
                        text="thinking", signature="sig", provider="anthropic", model=SONNET
                    ),
                    TextPart(text="hello"),
                ],
            ),
            Message(role=MessageRole.USER, content="and now?"),
        ],
    )
    resp = await _runtime(tmp_path).run(request)
    sent = json.loads(route.calls.last.request.content)
    assert sent["messages"][1]["content"] == [{"text": "hello"}]
    assert "handoff.reasoning_dropped" in {w.code for w in resp.warnings}
