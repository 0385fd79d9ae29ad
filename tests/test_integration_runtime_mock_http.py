"""Stage 24: registry + runtime + real adapters end to end over mocked HTTP (respx)."""

from __future__ import annotations

import asyncio
import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from provider_runtime import ProviderRuntime
from provider_runtime.assembly import build_runtime
from provider_runtime.config import load_config
from provider_runtime.core import (
    ConfigError,
    DiscoveryOptions,
    ErrorKind,
    FinishReason,
    Message,
    MessageRole,
    PricingSource,
    ProviderError,
    ProviderRequest,
    ToolCall,
    ToolDefinition,
)
from provider_runtime.credentials import ConfigTokenProvider
from provider_runtime.transport import HttpTransport

from .openapi import validate_request

KEYS = {
    "OPENAI_API_KEY": "sk-openai-test",
    "ANTHROPIC_API_KEY": "sk-ant-test",
    "OPENROUTER_API_KEY": "sk-or-test",
    "GEMINI_API_KEY": "gk-test",
}

CONFIG = """
[providers.openai]
max_retries = 2
{openai_lines}
[providers.anthropic]
max_retries = 2
[providers.local]
type = "openai_compatible"
base_url = "http://127.0.0.1:9/v1"
[providers.local.quirks]
max_tokens_field = "max_tokens"
[[models]]
provider = "local"
id = "qwen3"
[[pricing]]
provider = "local"
model = "qwen3"
pricing = { input = "1", output = "1" }
"""


def openai_completion(text: str = "hello", *, model: str = "gpt-4o-2024-08-06") -> dict[str, Any]:
    return {
        "id": "chatcmpl-abc123",
        "object": "chat.completion",
        "created": 1741569952,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text, "refusal": None},
                "logprobs": None,
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": 1200,
            "completion_tokens": 300,
            "total_tokens": 1500,
            "prompt_tokens_details": {"cached_tokens": 1000, "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 0, "audio_tokens": 0},
        },
    }


def anthropic_message(content: list[dict[str, Any]], stop: str = "end_turn") -> dict[str, Any]:
    return {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 200,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 1000,
            "output_tokens": 100,
        },
    }


class SleepLog:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


@pytest.fixture
def sleeps() -> SleepLog:
    return SleepLog()


@pytest.fixture
def runtime_factory(tmp_path: Path, sleeps: SleepLog) -> Any:
    made: list[ProviderRuntime] = []

    def make(openai_lines: str = "", env: dict[str, str] | None = None) -> ProviderRuntime:
        path = tmp_path / "config.toml"
        path.write_text(CONFIG.replace("{openai_lines}", openai_lines))
        environment = dict(KEYS if env is None else env)
        config = load_config(path, env=environment)
        transport = HttpTransport(sleep=sleeps, rand=lambda: 0.0)
        rt = build_runtime(
            config, transport=transport, tokens=ConfigTokenProvider(config, env=environment)
        )
        made.append(rt)
        return rt

    return make


def ask(model: str, text: str = "Hello") -> ProviderRequest:
    return ProviderRequest(model=model, messages=[Message(role=MessageRole.USER, content=text)])


@respx.mock
async def test_openai_end_to_end_with_cached_tokens_priced_from_the_catalog(
    runtime_factory: Any,
) -> None:
    route = respx.post("https://api.openai.com/v1/chat/completions").respond(
        200, json=openai_completion(), headers={"x-request-id": "req_123"}
    )
    rt = runtime_factory()
    resp = await rt.run(ask("openai/gpt-4o"))
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Bearer sk-openai-test"
    body = json.loads(sent.content)
    validate_request("openai", "/chat/completions", body)
    assert body["model"] == "gpt-4o"
    assert resp.output.text == "hello" and resp.request_id == "req_123"
    assert (resp.usage.input_tokens, resp.usage.cache_read_tokens) == (1200, 1000)
    assert resp.cost is not None and resp.cost.source == PricingSource.CATALOG
    # gpt-4o: $2.50/M uncached input, $1.25/M cached input, $10/M output (openai.com/api/pricing)
    expected = (Decimal(200) * Decimal("2.5") + 1000 * Decimal("1.25") + 300 * 10) / 10**6
    assert resp.cost.total == expected


@respx.mock
async def test_anthropic_end_to_end(runtime_factory: Any) -> None:
    route = respx.post("https://api.anthropic.com/v1/messages").respond(
        200,
        json=anthropic_message([{"type": "text", "text": "Hi there"}]),
        headers={"request-id": "req_ant_1"},
    )
    rt = runtime_factory()
    request = ProviderRequest(
        model="anthropic/claude-sonnet-4-5",
        messages=[
            Message(role=MessageRole.SYSTEM, content="Be brief."),
            Message(role=MessageRole.USER, content="Hello"),
        ],
    )
    resp = await rt.run(request)
    sent = route.calls.last.request
    assert sent.headers["x-api-key"] == "sk-ant-test"
    assert sent.headers["anthropic-version"] == "2023-06-01"
    body = json.loads(sent.content)
    validate_request("anthropic", "/v1/messages", body)
    assert body["system"] in ("Be brief.", [{"type": "text", "text": "Be brief."}])
    assert resp.output.text == "Hi there" and resp.request_id == "req_ant_1"
    # Anthropic reports uncached input separately: canonical input includes the cache reads.
    assert (resp.usage.input_tokens, resp.usage.cache_read_tokens) == (1200, 1000)
    assert resp.cost is not None and resp.cost.source == PricingSource.CATALOG
    # claude-sonnet-4-5: $3/M input, $0.30/M cache read, $15/M output
    expected = (200 * Decimal(3) + 1000 * Decimal("0.3") + 100 * Decimal(15)) / 10**6
    assert resp.cost.total == expected


@respx.mock
async def test_openrouter_end_to_end_uses_the_provider_reported_cost(runtime_factory: Any) -> None:
    completion = openai_completion(model="openai/gpt-4o")
    completion["usage"]["cost"] = 0.00123
    route = respx.post("https://openrouter.ai/api/v1/chat/completions").respond(
        200, json=completion
    )
    rt = runtime_factory()
    resp = await rt.run(ask("openrouter/openai/gpt-4o"))
    body = json.loads(route.calls.last.request.content)
    validate_request("openrouter", "/chat/completions", body)
    assert body["model"] == "openai/gpt-4o"
    assert resp.cost is not None
    assert resp.cost.source == PricingSource.PROVIDER_REPORTED
    assert resp.cost.total == Decimal("0.00123")


@respx.mock
async def test_openai_compatible_server_declared_only_in_config(runtime_factory: Any) -> None:
    route = respx.post("http://127.0.0.1:9/v1/chat/completions").respond(
        200, json=openai_completion(model="qwen3")
    )
    rt = runtime_factory()
    resp = await rt.run(
        ProviderRequest(
            model="qwen3",  # a bare id: only the config's `local` provider has it
            messages=[Message(role=MessageRole.USER, content="hi")],
            max_output_tokens=50,
        )
    )
    body = json.loads(route.calls.last.request.content)
    assert body["max_tokens"] == 50 and "max_completion_tokens" not in body
    assert "authorization" not in route.calls.last.request.headers
    assert resp.provider == "local"
    assert resp.cost is not None and resp.cost.source == PricingSource.USER_CONFIG
    # The rule has no cache-read price but 1000 of the 1200 prompt tokens were cache reads:
    # 200 uncached input + 300 output at $1/M, marked partial, never priced as if uncached.
    assert resp.cost.total == Decimal(500) / 10**6
    assert resp.cost.partial and resp.cost.missing_components == ["cache_read"]
    assert "pricing.partial" in [w.code for w in resp.warnings]


@respx.mock
async def test_retries_429_honouring_retry_after_then_succeeds(
    runtime_factory: Any, sleeps: SleepLog
) -> None:
    route = respx.post("https://api.openai.com/v1/chat/completions").mock(
        side_effect=[
            httpx.Response(
                429,
                json={"error": {"message": "slow down", "type": "requests"}},
                headers={"retry-after": "3"},
            ),
            httpx.Response(200, json=openai_completion()),
        ]
    )
    resp = await runtime_factory().run(ask("openai/gpt-4o"))
    assert resp.output.text == "hello"
    assert route.call_count == 2
    assert sleeps.delays == [3.0]


@respx.mock
async def test_retries_5xx_with_backoff_then_gives_the_server_error(
    runtime_factory: Any, sleeps: SleepLog
) -> None:
    route = respx.post("https://api.anthropic.com/v1/messages").respond(
        500, json={"type": "error", "error": {"type": "api_error", "message": "Internal error"}}
    )
    with pytest.raises(ProviderError) as info:
        await runtime_factory().run(ask("anthropic/claude-sonnet-4-5"))
    assert info.value.kind == ErrorKind.SERVER and info.value.status == 500
    assert route.call_count == 3  # first try + max_retries = 2
    assert sleeps.delays == [0.5, 1.0]  # exponential backoff, jitter pinned to 0


@respx.mock
async def test_no_retry_on_400(runtime_factory: Any, sleeps: SleepLog) -> None:
    route = respx.post("https://api.openai.com/v1/chat/completions").respond(
        400,
        json={
            "error": {
                "message": "Invalid value for 'temperature'",
                "type": "invalid_request_error",
                "param": "temperature",
                "code": "invalid_value",
            }
        },
    )
    with pytest.raises(ProviderError) as info:
        await runtime_factory().run(ask("openai/gpt-4o"))
    assert info.value.kind == ErrorKind.INVALID_REQUEST
    assert route.call_count == 1 and sleeps.delays == []


@respx.mock
async def test_read_timeout_is_retried_then_reported_as_timeout(
    runtime_factory: Any, sleeps: SleepLog
) -> None:
    route = respx.post("https://api.openai.com/v1/chat/completions").mock(
        side_effect=httpx.ReadTimeout("timed out")
    )
    with pytest.raises(ProviderError) as info:
        await runtime_factory().run(ask("openai/gpt-4o"))
    assert info.value.kind == ErrorKind.TIMEOUT and info.value.retryable
    assert route.call_count == 3


@respx.mock
async def test_malformed_success_body_is_a_protocol_error(runtime_factory: Any) -> None:
    respx.post("https://api.openai.com/v1/chat/completions").respond(
        200, text="<html><body>502 Bad Gateway</body></html>", headers={"content-type": "text/html"}
    )
    with pytest.raises(ProviderError) as info:
        await runtime_factory().run(ask("openai/gpt-4o"))
    assert info.value.kind == ErrorKind.PROTOCOL


@respx.mock
async def test_discovery_with_one_provider_down(runtime_factory: Any) -> None:
    respx.get("https://api.openai.com/v1/models").respond(
        200,
        json={
            "object": "list",
            "data": [
                {"id": "gpt-9-preview", "object": "model", "created": 1, "owned_by": "openai"}
            ],
        },
    )
    respx.get(url__startswith="https://api.anthropic.com/v1/models").respond(
        503, json={"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
    )
    respx.get("https://openrouter.ai/api/v1/models").mock(side_effect=httpx.ConnectError("refused"))
    respx.get("http://127.0.0.1:9/v1/models").respond(200, json={"object": "list", "data": []})
    respx.get(url__startswith="https://generativelanguage.googleapis.com/v1beta/models").respond(
        200,
        json={
            "models": [
                {
                    "name": "models/gemini-9-flash",
                    "supportedGenerationMethods": ["generateContent"],
                    "inputTokenLimit": 1048576,
                }
            ]
        },
    )
    rt = runtime_factory()
    result = await rt.discover_models(DiscoveryOptions(remote=True))
    ids = {(m.provider, m.id) for m in result.models}
    assert ("openai", "gpt-9-preview") in ids  # remote enrichment added it
    assert ("google", "gemini-9-flash") in ids  # Gemini's list, `models/` prefix removed
    assert ("openai", "gpt-4o") in ids and ("anthropic", "claude-sonnet-4-5") in ids  # static kept
    failed = sorted(w.details["provider"] for w in result.warnings if w.code == "discovery.failed")
    assert failed == ["anthropic", "openrouter"]


async def test_missing_key_fails_fast_naming_the_variable(runtime_factory: Any) -> None:
    rt = runtime_factory(env={})
    with respx.mock(assert_all_called=False) as mock:
        route = mock.post("https://api.openai.com/v1/chat/completions")
        with pytest.raises(ConfigError, match="OPENAI_API_KEY"):
            await rt.run(ask("openai/gpt-4o"))
        assert route.call_count == 0


@respx.mock
async def test_credential_from_a_command_hook(runtime_factory: Any) -> None:
    route = respx.post("https://api.openai.com/v1/chat/completions").respond(
        200, json=openai_completion()
    )
    hook = json.dumps([sys.executable, "-c", "print('sk-from-hook')"])
    rt = runtime_factory(openai_lines=f"api_key_command = {hook}", env={})  # no key in env
    await rt.run(ask("openai/gpt-4o"))
    assert route.calls.last.request.headers["authorization"] == "Bearer sk-from-hook"


@respx.mock
async def test_concurrent_calls_are_matched_to_their_requests(runtime_factory: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        text = json.loads(request.content)["messages"][-1]["content"]
        return httpx.Response(200, json=openai_completion(f"re: {text}"))

    respx.post("https://api.openai.com/v1/chat/completions").mock(side_effect=answer)
    rt = runtime_factory()
    answers = await asyncio.gather(*(rt.run(ask("openai/gpt-4o", f"q{i}")) for i in range(64)))
    assert [a.output.text for a in answers] == [f"re: q{i}" for i in range(64)]


@respx.mock
async def test_tool_call_round_trip_through_the_runtime(runtime_factory: Any) -> None:
    completion = openai_completion()
    completion["choices"][0]["message"] = {
        "role": "assistant",
        "content": None,
        "refusal": None,
        "tool_calls": [
            {
                "id": "call_1",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'},
            },
        ],
    }
    completion["choices"][0]["finish_reason"] = "tool_calls"
    respx.post("https://api.openai.com/v1/chat/completions").respond(200, json=completion)
    rt = runtime_factory()
    request = ProviderRequest(
        model="openai/gpt-4o",
        messages=[Message(role=MessageRole.USER, content="Weather in Paris?")],
        tools=[
            ToolDefinition(
                name="get_weather",
                parameters={"type": "object", "properties": {"city": {"type": "string"}}},
            )
        ],
    )
    resp = await rt.run(request)
    assert resp.finish_reason == FinishReason.TOOL_CALLS
    assert resp.output.tool_calls == [
        ToolCall(id="call_1", name="get_weather", arguments={"city": "Paris"})
    ]


@respx.mock
async def test_builtin_openai_applies_per_model_rules_not_compatible_quirks(
    runtime_factory: Any,
) -> None:
    route = respx.post("https://api.openai.com/v1/chat/completions").respond(
        200, json=openai_completion(model="o3-2025-04-16")
    )
    request = ProviderRequest(
        model="openai/o3",
        messages=[
            Message(role=MessageRole.SYSTEM, content="Be terse."),
            Message(role=MessageRole.USER, content="hi"),
        ],
        max_output_tokens=100,
    )
    # Chat Completions chosen: under the default `api = "auto"` o3 (a reasoning model in the
    # catalog) would go to the Responses API instead.
    await runtime_factory(openai_lines='api = "chat"').run(request)
    body = json.loads(route.calls.last.request.content)
    # OpenAI: o-series models take instructions as `developer` messages.
    assert body["messages"][0]["role"] == "developer"
    assert body["max_completion_tokens"] == 100 and "max_tokens" not in body


@respx.mock
async def test_a_rotated_command_key_is_picked_up_on_the_first_refusal(
    runtime_factory: Any, tmp_path: Path
) -> None:
    key_file = tmp_path / "key"
    key_file.write_text("sk-old")
    accepted = {"key": "sk-old"}

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] != f"Bearer {accepted['key']}":
            return httpx.Response(
                401, json={"error": {"message": "Incorrect API key", "code": "invalid_api_key"}}
            )
        return httpx.Response(200, json=openai_completion())

    route = respx.post("https://api.openai.com/v1/chat/completions").mock(side_effect=answer)
    hook = json.dumps([sys.executable, "-c", f"print(open({str(key_file)!r}).read())"])
    rt = runtime_factory(openai_lines=f"api_key_command = {hook}", env={})
    await rt.run(ask("openai/gpt-4o"))  # sk-old, now cached for 300 s

    key_file.write_text("sk-new")  # rotated: the provider accepts only the new key
    accepted["key"] = "sk-new"
    resp = await rt.run(ask("openai/gpt-4o"))
    assert resp.output.text == "hello"
    sent = [c.request.headers["authorization"] for c in route.calls]
    assert sent == ["Bearer sk-old", "Bearer sk-old", "Bearer sk-new"]

    accepted["key"] = "sk-revoked-everywhere"  # a refusal the hook cannot fix is reported once
    with pytest.raises(ProviderError) as info:
        await rt.run(ask("openai/gpt-4o"))
    assert info.value.kind == ErrorKind.AUTHENTICATION
    assert route.call_count == 5  # cached sk-new refused, re-asked hook gave sk-new again: no loop


@respx.mock
async def test_a_429_that_says_the_quota_is_gone_is_not_retried(
    runtime_factory: Any, sleeps: SleepLog
) -> None:
    # OpenAI answers 429 insufficient_quota when the account has no credit left: waiting
    # cannot help (platform.openai.com/docs/guides/error-codes).
    route = respx.post("https://api.openai.com/v1/chat/completions").respond(
        429,
        json={
            "error": {
                "message": "You exceeded your current quota",
                "type": "insufficient_quota",
                "param": None,
                "code": "insufficient_quota",
            }
        },
    )
    with pytest.raises(ProviderError) as info:
        await runtime_factory().run(ask("openai/gpt-4o"))
    assert info.value.kind == ErrorKind.PAYMENT_REQUIRED and not info.value.retryable
    assert route.call_count == 1 and sleeps.delays == []
