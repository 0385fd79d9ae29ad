"""OpenAI Responses through the adapter, the runtime and the spawned daemon.

The adapter picks Chat Completions or Responses per model (``api``); the runtime hands it the
catalog's entry; the daemon and the ``run`` command reach a loopback server speaking the
Responses API. Native bodies follow https://platform.openai.com/docs/api-reference/responses.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from provider_runtime.assembly import build_runtime
from provider_runtime.config import load_config
from provider_runtime.core.errors import ErrorKind, ProviderError
from provider_runtime.core.types import (
    AdapterContext,
    FinishReason,
    Message,
    MessageRole,
    ModelCapabilities,
    ModelInfo,
    ModelRef,
    ProviderRequest,
    ReasoningPart,
    Secret,
    ToolCall,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.credentials import ConfigTokenProvider
from provider_runtime.providers.openai import OpenAIAdapter
from provider_runtime.providers.openai.api import choose_api
from provider_runtime.transport.http import HttpTransport, RetryPolicy
from tests.daemon_client import isolated_env, run_params, spawn_daemon
from tests.loopback_provider import loopback_provider, reply
from tests.openapi import validate, validate_request

BASE = "https://api.openai.com/v1"
KEY = "sk-resp-test"
ENCRYPTED = "gAAAAABo-encrypted-reasoning=="
REASONING = ModelCapabilities(reasoning=True)


def response_body(model: str = "o3-pro-2025-06-10", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": "resp_123",
        "object": "response",
        "created_at": 1767225600,
        "status": "completed",
        "error": None,
        "incomplete_details": None,
        "instructions": None,
        "model": model,
        "output": [
            {
                "type": "reasoning",
                "id": "rs_1",
                "summary": [{"type": "summary_text", "text": "Thinking about Paris."}],
                "encrypted_content": ENCRYPTED,
            },
            {
                "type": "function_call",
                "id": "fc_1",
                "call_id": "call_1",
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
        "usage": {
            "input_tokens": 50,
            "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
            "output_tokens": 40,
            "output_tokens_details": {"reasoning_tokens": 30},
            "total_tokens": 90,
        },
    }
    body.update(overrides)
    return body


def adapter(**kwargs: Any) -> OpenAIAdapter:
    return OpenAIAdapter(
        HttpTransport(client=httpx.AsyncClient()), retry=RetryPolicy(max_retries=0), **kwargs
    )


def context(model: str, caps: ModelCapabilities | None) -> AdapterContext:
    info = None if caps is None else ModelInfo(provider="openai", id=model, capabilities=caps)
    return AdapterContext(
        model=ModelRef(provider="openai", id=model), model_info=info, credential=Secret(KEY)
    )


def ask(model: str) -> ProviderRequest:
    return ProviderRequest(
        model=f"openai/{model}", messages=[Message(role=MessageRole.USER, content="Weather?")]
    )


@pytest.mark.parametrize(
    ("setting", "caps", "api"),
    [
        ("auto", REASONING, "responses"),
        ("auto", ModelCapabilities(reasoning=False), "chat"),
        ("auto", ModelCapabilities(), "chat"),  # reasoning unknown
        ("auto", None, "chat"),  # not in the catalog
        ("chat", REASONING, "chat"),
        ("responses", None, "responses"),
    ],
)
def test_api_choice_follows_setting_and_catalog(
    setting: Any, caps: ModelCapabilities | None, api: str
) -> None:
    info = None if caps is None else ModelInfo(provider="openai", id="m", capabilities=caps)
    assert choose_api(setting, info) == api


async def test_auto_sends_a_reasoning_model_to_responses_statelessly() -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(f"{BASE}/responses").respond(
            200, json=response_body(), headers={"x-request-id": "req_r1"}
        )
        answer = await adapter().run(ask("o3-pro"), context("o3-pro", REASONING))

    sent = route.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    body = json.loads(sent.content)
    validate_request("openai", "/responses", body)
    assert body["store"] is False
    assert body["include"] == ["reasoning.encrypted_content"]  # reasons without being asked
    assert answer.request_id == "req_r1"
    assert answer.finish_reason is FinishReason.TOOL_CALLS
    reasoning = answer.output.content[0]
    assert isinstance(reasoning, ReasoningPart)
    assert (reasoning.signature, reasoning.data) == ("rs_1", ENCRYPTED)
    assert (reasoning.provider, reasoning.model) == ("openai", "o3-pro")
    assert answer.usage.reasoning_tokens == 30


async def test_unknown_model_stays_on_chat_completions() -> None:
    completion = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 1,
        "model": "gpt-4o",
        "choices": [
            {"index": 0, "message": {"role": "assistant", "content": "hi"}, "finish_reason": "stop"}
        ],
    }
    with respx.mock(assert_all_called=True) as mock:
        mock.post(f"{BASE}/chat/completions").respond(200, json=completion)
        answer = await adapter().run(ask("gpt-4o"), context("gpt-4o", None))
    assert answer.output.text == "hi"


async def test_api_responses_setting_routes_every_model() -> None:
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(f"{BASE}/responses").respond(200, json=response_body("gpt-4.1"))
        await adapter(api="responses").run(ask("gpt-4.1"), context("gpt-4.1", None))
    assert "include" not in json.loads(route.calls.last.request.content)  # not a reasoner


async def test_responses_error_names_the_parameter() -> None:
    error = {
        "error": {
            "message": "Unsupported parameter: 'temperature' is not supported with this model.",
            "type": "invalid_request_error",
            "param": "temperature",
            "code": "unsupported_parameter",
        }
    }
    with respx.mock() as mock:
        mock.post(f"{BASE}/responses").respond(400, json=error, headers={"x-request-id": "r9"})
        with pytest.raises(ProviderError) as info:
            await adapter().run(ask("o3"), context("o3", REASONING))
    assert info.value.kind is ErrorKind.INVALID_REQUEST
    assert info.value.provider_code == "unsupported_parameter"
    assert "'temperature'" in info.value.message
    assert info.value.request_id == "r9"


# --------------------------------------------------------------------------- through the runtime

WEATHER = ToolDefinition(
    name="get_weather",
    parameters={
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
        "additionalProperties": False,
    },
)


async def test_runtime_replays_reasoning_on_the_next_turn(tmp_path: Path) -> None:
    """Turn 1's reasoning item goes back verbatim, before its call, in turn 2's input; the
    bundled catalog makes o3-pro a Responses model under the default `auto`."""
    config = load_config(env={"HOME": str(tmp_path)})
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env={"OPENAI_API_KEY": KEY}))
    first = ProviderRequest(
        model="openai/o3-pro",
        messages=[Message(role=MessageRole.USER, content="Weather in Paris?")],
        tools=[WEATHER],
    )
    final = response_body(
        output=[
            {
                "type": "message",
                "id": "msg_2",
                "status": "completed",
                "role": "assistant",
                "content": [
                    {"type": "output_text", "text": "18°C.", "annotations": [], "logprobs": []}
                ],
            }
        ]
    )
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(f"{BASE}/responses")
        route.side_effect = [
            httpx.Response(200, json=response_body()),
            httpx.Response(200, json=final),
        ]
        one = await runtime.run(first)
        call = one.output.tool_calls[0]
        second = ProviderRequest(
            model="openai/o3-pro",
            tools=[WEATHER],
            messages=[
                *first.messages,
                Message(role=MessageRole.ASSISTANT, content=list(one.output.content)),
                Message(
                    role=MessageRole.TOOL,
                    content=[ToolResult(tool_call_id=call.id, content="18°C")],
                ),
            ],
        )
        two = await runtime.run(second)
    await runtime.aclose()

    body = json.loads(route.calls.last.request.content)
    validate_request("openai", "/responses", body)
    assert [i["type"] for i in body["input"]] == [
        "message",
        "reasoning",
        "function_call",
        "function_call_output",
    ]
    assert body["input"][1] == {
        "type": "reasoning",
        "id": "rs_1",
        "summary": [{"type": "summary_text", "text": "Thinking about Paris."}],
        "encrypted_content": ENCRYPTED,
    }
    assert not [w for w in two.warnings if w.code.startswith("handoff.reasoning")]
    assert two.output.text == "18°C."
    assert two.cost is not None  # priced from the catalog
    assert isinstance(one.output.content[1], ToolCall)


# --------------------------------------------------------------------------- end to end

O3_PRO = response_body(
    output=[
        {
            "type": "message",
            "id": "msg_1",
            "status": "completed",
            "role": "assistant",
            "content": [
                {
                    "type": "output_text",
                    "text": "loopback o3-pro",
                    "annotations": [],
                    "logprobs": [],
                }
            ],
        }
    ]
)


async def test_daemon_runs_o3_pro_through_responses(tmp_path: Path) -> None:
    async with loopback_provider({"o3-pro": [reply(200, O3_PRO)]}) as server:
        env = isolated_env(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=server.url)
        async with spawn_daemon(tmp_path, config=None, env=env) as d:
            init = await d.request("initialize", {})
            answer = await d.request("runtime/run", run_params("Weather?", model="openai/o3-pro"))
        exchange = server.attempts("o3-pro")[0]
    openai = next(p for p in init["result"]["providers"] if p["id"] == "openai")
    assert openai["api"] == "auto"
    assert exchange.path.endswith("/responses")
    validate_request("openai", "/responses", exchange.json)
    assert exchange.json["store"] is False
    result = answer["result"]
    assert result["output"]["content"] == [
        {"type": "text", "text": "loopback o3-pro", "signature": None}
    ]
    assert result["request_id"] == "resp_123"
    assert KEY.encode() not in d.stdout_raw


async def test_run_command_reaches_o3_pro_over_responses(tmp_path: Path) -> None:
    async with loopback_provider({"o3-pro": [reply(200, O3_PRO)]}) as server:
        env = isolated_env(tmp_path, OPENAI_API_KEY=KEY, OPENAI_BASE_URL=server.url)
        cmd = [sys.executable, "-m", "provider_runtime", "run", "-m", "openai/o3-pro", "hi"]
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        out, err = await asyncio.wait_for(proc.communicate(), 60)
        exchange = server.attempts("o3-pro")[0]
    assert proc.returncode == 0, err.decode()
    assert out.decode() == "loopback o3-pro\n"
    assert exchange.path.endswith("/responses")
    validate("openai", "Response", O3_PRO)
