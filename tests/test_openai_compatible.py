"""OpenAI-compatible servers: a config entry (base URL, optional key, quirks) is all it takes.

Two fake servers over respx: a vLLM-like one (``max_tokens`` field, API key, reasoning in
``reasoning_content``) and an Ollama-like one (no key, no tools, no vision). Each is exercised
through the adapter directly and through a runtime built from a TOML config, with no code that
knows either server.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from provider_runtime.assembly import build_runtime
from provider_runtime.config import OpenAICompatQuirks, load_config
from provider_runtime.core.errors import ErrorKind, ProviderError
from provider_runtime.core.types import (
    AdapterContext,
    FinishReason,
    ImagePart,
    Message,
    MessageRole,
    ModelRef,
    ProviderRequest,
    ReasoningPart,
    Secret,
    TextPart,
    ToolCall,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.credentials import ConfigTokenProvider
from provider_runtime.providers.openai import OpenAIAdapter
from provider_runtime.runtime import ProviderRuntime
from provider_runtime.transport.http import HttpTransport, RetryPolicy

VLLM = "http://127.0.0.1:8000/v1"
OLLAMA = "http://localhost:11434/v1"
VLLM_KEY = "vllm-secret-token"

CONFIG = f"""
[providers.work-vllm]
type = "openai_compatible"
base_url = "{VLLM}"
api_key_env = "WORK_VLLM_KEY"
[providers.work-vllm.quirks]
max_tokens_field = "max_tokens"
requires_api_key = true

[providers.local-ollama]
type = "openai_compatible"
base_url = "{OLLAMA}"
[providers.local-ollama.quirks]
supports_tools = false
supports_vision = false
"""


def answer(model: str, message: dict[str, Any], finish: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-compat-1",
        "object": "chat.completion",
        "created": 1747000000,
        "model": model,
        "choices": [
            {"index": 0, "message": {"role": "assistant", **message}, "finish_reason": finish}
        ],
        "usage": {"prompt_tokens": 12, "completion_tokens": 8, "total_tokens": 20},
    }


def vllm_adapter() -> OpenAIAdapter:
    return OpenAIAdapter(
        HttpTransport(client=httpx.AsyncClient()),
        provider_id="work-vllm",
        base_url=VLLM,
        quirks=OpenAICompatQuirks(max_tokens_field="max_tokens", requires_api_key=True),
        retry=RetryPolicy(max_retries=0),
    )


def ollama_adapter() -> OpenAIAdapter:
    return OpenAIAdapter(
        HttpTransport(client=httpx.AsyncClient()),
        provider_id="local-ollama",
        base_url=OLLAMA,
        quirks=OpenAICompatQuirks(supports_tools=False, supports_vision=False),
        retry=RetryPolicy(max_retries=0),
    )


def ask(model: str, **kwargs: Any) -> ProviderRequest:
    kwargs.setdefault("messages", [Message(role=MessageRole.USER, content="Is 221 prime?")])
    return ProviderRequest(model=model, **kwargs)


async def test_vllm_like_server_gets_max_tokens_and_its_key() -> None:
    adapter = vllm_adapter()
    ctx = AdapterContext(
        model=ModelRef(provider="work-vllm", id="Qwen/Qwen3-32B"), credential=Secret(VLLM_KEY)
    )
    reply = answer("Qwen/Qwen3-32B", {"reasoning_content": "13 * 17 = 221", "content": "No."})
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(f"{VLLM}/chat/completions").respond(200, json=reply)
        response = await adapter.run(
            ask("work-vllm/Qwen/Qwen3-32B", max_output_tokens=256, temperature=0.6), ctx
        )
    sent = route.calls.last.request
    assert sent.headers["authorization"] == f"Bearer {VLLM_KEY}"
    assert json.loads(sent.content) == {
        "model": "Qwen/Qwen3-32B",
        "messages": [{"role": "user", "content": "Is 221 prime?"}],
        "max_tokens": 256,
        "temperature": 0.6,
    }
    assert response.provider == "work-vllm"
    assert response.output.content == [
        ReasoningPart(text="13 * 17 = 221", provider="work-vllm", model="Qwen/Qwen3-32B"),
        TextPart(text="No."),
    ]
    assert adapter.capabilities.tools and adapter.capabilities.json_schema


async def test_ollama_like_server_without_key_tools_or_vision(runtime: ProviderRuntime) -> None:
    # The quirks make the target's capabilities; the runtime's one pass fits the request to
    # them and reports each change once (no second warning from the encoder).
    request = ask(
        "local-ollama/llama3.2",
        messages=[
            Message(
                role=MessageRole.USER,
                content=[TextPart(text="What is this?"), ImagePart(url="https://x.test/a.png")],
            )
        ],
        tools=[ToolDefinition(name="search")],
        stop=["###"],
    )
    with respx.mock(assert_all_called=True) as mock:
        route = mock.post(f"{OLLAMA}/chat/completions").respond(
            200, json=answer("llama3.2", {"content": "A placeholder."})
        )
        response = await runtime.run(request)
    sent = route.calls.last.request
    assert "authorization" not in sent.headers
    body = json.loads(sent.content)
    assert "tools" not in body and "tool_choice" not in body
    assert body["stop"] == ["###"]  # Ollama accepts stop: the quirk was left on
    assert body["messages"][0]["content"][1] == {
        "type": "text",
        "text": "[image omitted: target model does not accept images]",
    }
    codes = [w.code for w in response.warnings]
    assert codes[:2] == ["handoff.image_removed", "capability.tools_removed"]
    assert not [c for c in codes if c.startswith("unsupported.")]
    assert response.finish_reason is FinishReason.STOP


def test_the_adapter_declares_what_the_quirks_rule_out() -> None:
    caps = ollama_adapter().capabilities
    assert (caps.tools, caps.vision, caps.json_schema, caps.json_mode) == (False, False, True, True)


async def test_compatible_server_discovery_uses_its_base_url() -> None:
    adapter = ollama_adapter()
    listing = {"object": "list", "data": [{"id": "llama3.2", "object": "model", "created": 1}]}
    with respx.mock(assert_all_called=True) as mock:
        route = mock.get(f"{OLLAMA}/models").respond(200, json=listing)
        models = await adapter.discover_models(None)
    assert "authorization" not in route.calls.last.request.headers
    assert [(m.provider, m.id) for m in models] == [("local-ollama", "llama3.2")]


async def test_compatible_server_errors_use_its_provider_id() -> None:
    adapter = ollama_adapter()
    ctx = AdapterContext(model=ModelRef(provider="local-ollama", id="llama9"))
    body = {"error": {"message": 'model "llama9" not found, try pulling it first'}}
    with respx.mock() as mock:
        mock.post(f"{OLLAMA}/chat/completions").respond(404, json=body)
        with pytest.raises(ProviderError) as info:
            await adapter.run(ask("local-ollama/llama9"), ctx)
    assert info.value.provider == "local-ollama"
    assert info.value.kind is ErrorKind.NOT_FOUND
    assert "try pulling it first" in info.value.message


@pytest.fixture
def runtime(tmp_path: Path) -> ProviderRuntime:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    env = {"WORK_VLLM_KEY": VLLM_KEY}
    config = load_config(path, env=env)
    return build_runtime(
        config,
        tokens=ConfigTokenProvider(config, env=env),
        transport=HttpTransport(client=httpx.AsyncClient()),
    )


async def test_servers_declared_in_the_config_need_no_code(runtime: ProviderRuntime) -> None:
    with respx.mock(assert_all_called=True) as mock:
        vllm = mock.post(f"{VLLM}/chat/completions").respond(
            200, json=answer("Qwen/Qwen3-32B", {"content": "No."})
        )
        ollama = mock.post(f"{OLLAMA}/chat/completions").respond(
            200, json=answer("llama3.2", {"content": "Hi."})
        )
        first = await runtime.run(ask("work-vllm/Qwen/Qwen3-32B", max_output_tokens=64))
        second = await runtime.run(
            ask("local-ollama/llama3.2", tools=[ToolDefinition(name="search")])
        )
    assert vllm.calls.last.request.headers["authorization"] == f"Bearer {VLLM_KEY}"
    assert json.loads(vllm.calls.last.request.content)["max_tokens"] == 64
    assert "authorization" not in ollama.calls.last.request.headers
    assert "tools" not in json.loads(ollama.calls.last.request.content)
    assert (first.provider, first.output.text) == ("work-vllm", "No.")
    assert (second.provider, second.output.text) == ("local-ollama", "Hi.")
    codes = [w.code for w in second.warnings]
    assert codes.count("capability.tools_removed") == 1  # reported once, not dropped
    assert "unsupported.tools" not in codes


def test_a_server_without_reasoning_gets_no_reasoning_effort() -> None:
    from provider_runtime.core.types import ReasoningConfig
    from provider_runtime.providers.openai import capabilities_for
    from provider_runtime.providers.openai.dialect import OpenAIDialect
    from provider_runtime.providers.openai.encode import encode_openai_request
    from provider_runtime.runtime.capabilities import prepare_request

    request = ProviderRequest(
        model="litellm/m",
        messages=[Message(role=MessageRole.USER, content=[TextPart(text="hi")])],
        reasoning=ReasoningConfig(effort="high"),
    )
    quirks = OpenAICompatQuirks(supports_reasoning=False)
    dialect = OpenAIDialect.from_quirks(quirks, provider="litellm")
    # The quirk makes the capability; the runtime's one pass removes `reasoning` and says so.
    ref = ModelRef(provider="litellm", id="m")
    fitted, warnings = prepare_request(request, ref, None, capabilities_for(dialect))
    body, encoded = encode_openai_request(fitted, "m", dialect=dialect)
    assert "reasoning_effort" not in body
    assert [w.code for w in [*warnings, *encoded]] == ["capability.reasoning_removed"]
    default = OpenAIDialect.from_quirks(OpenAICompatQuirks(), provider="vllm")
    assert encode_openai_request(request, "m", dialect=default)[0]["reasoning_effort"] == "high"


MISTRAL_IDS = {"tool_call_id_pattern": "^[A-Za-z0-9]{9}$", "requires_api_key": True}


async def test_tool_call_ids_are_rewritten_to_the_servers_rule(tmp_path: Path) -> None:
    """A server declaring Mistral's id rule (9 letters or digits) gets every call id rewritten
    by handoff, its result following; the capability comes from the quirks alone."""
    path = tmp_path / "config.toml"
    quirks = "\n".join(f"{k} = {json.dumps(v)}" for k, v in MISTRAL_IDS.items())
    path.write_text(
        '[providers.mistral]\ntype = "openai_compatible"\n'
        'base_url = "https://api.mistral.ai/v1"\napi_key_env = "MISTRAL_API_KEY"\n'
        f"[providers.mistral.quirks]\n{quirks}\n"
    )
    env = {"MISTRAL_API_KEY": "mk-1"}
    config = load_config(path, env=env)
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env=env))
    request = ProviderRequest(
        model="mistral/mistral-large-latest",
        messages=[
            Message(role=MessageRole.USER, content="Weather?"),
            Message(
                role=MessageRole.ASSISTANT,
                content=[ToolCall(id="toolu_01A09q90qw90lq917835lq9", name="w", arguments={})],
            ),
            Message(
                role=MessageRole.TOOL,
                content=[ToolResult(tool_call_id="toolu_01A09q90qw90lq917835lq9", content="18")],
            ),
        ],
    )
    reply = {
        "id": "c1",
        "model": "mistral-large-latest",
        "choices": [{"index": 0, "message": {"content": "18"}, "finish_reason": "stop"}],
    }
    async with runtime:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post("https://api.mistral.ai/v1/chat/completions").respond(200, json=reply)
            response = await runtime.run(request)
    body = json.loads(route.calls.last.request.content)
    new_id = body["messages"][1]["tool_calls"][0]["id"]
    assert re.fullmatch(r"[A-Za-z0-9]{9}", new_id)
    assert body["messages"][2] == {"role": "tool", "tool_call_id": new_id, "content": "18"}
    rewritten = [w for w in response.warnings if w.code == "handoff.tool_call_id_rewritten"]
    assert rewritten and rewritten[0].details["new_id"] == new_id


def test_an_invalid_id_pattern_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[providers.m]\ntype = "openai_compatible"\nbase_url = "http://x/v1"\n'
        '[providers.m.quirks]\ntool_call_id_pattern = "[a-z"\n'
    )
    config = load_config(path, env={})
    problem = next(p for p in config.problems if p.provider == "m")
    assert problem.key == "providers.m.quirks.tool_call_id_pattern"
    assert "regular expression" in problem.problem
