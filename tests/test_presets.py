"""The named OpenAI-compatible presets: data only, active when named or keyed (protocol.md §7)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import respx

from provider_runtime.assembly import build_runtime
from provider_runtime.config import BUILTIN_PROVIDERS, describe_config, load_config
from provider_runtime.config.presets import COMPATIBLE_PRESETS
from provider_runtime.core.errors import ConfigError
from provider_runtime.core.types import (
    DiscoveryOptions,
    ImagePart,
    JsonSchemaFormat,
    Message,
    MessageRole,
    ProviderRequest,
    ReasoningConfig,
    ReasoningPart,
    TextPart,
    ToolCall,
    ToolDefinition,
    ToolResult,
)
from provider_runtime.credentials import ConfigTokenProvider

HOSTED = ["mistral", "xai", "deepseek", "groq", "cerebras", "together", "fireworks"]
LOCAL = ["ollama", "lmstudio"]


def _config(tmp_path: Path, text: str, env: dict[str, str]) -> Any:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_config(path, env=env)


def _reply(content: str = "ok", **message: Any) -> dict[str, Any]:
    return {
        "id": "c1",
        "model": "m",
        "choices": [
            {"index": 0, "message": {"content": content, **message}, "finish_reason": "stop"}
        ],
    }


def test_every_named_service_is_a_preset_with_its_documented_defaults() -> None:
    assert sorted(COMPATIBLE_PRESETS) == sorted(HOSTED + LOCAL)
    for pid in HOSTED:
        preset = BUILTIN_PROVIDERS[pid]
        assert preset.type == "openai_compatible" and preset.quirks is not None
        assert preset.quirks.requires_api_key and preset.key_env == f"{pid.upper()}_API_KEY"
        assert preset.base_url is not None and preset.base_url.startswith("https://")
    for pid in LOCAL:
        preset = BUILTIN_PROVIDERS[pid]
        assert preset.key_env is None and preset.base_url is not None
        assert preset.base_url.startswith("http://localhost:")


def test_a_hosted_preset_is_active_when_its_key_is_set_or_the_config_names_it(
    tmp_path: Path,
) -> None:
    off = _config(tmp_path, "", {})
    assert not set(HOSTED + LOCAL) & set(off.providers)
    assert set(off.inactive) == {*HOSTED, *LOCAL, "azure"}
    assert "MISTRAL_API_KEY" in off.inactive["mistral"]
    keyed = _config(tmp_path, "", {"MISTRAL_API_KEY": "k"})
    assert "mistral" in keyed.providers and "mistral" not in keyed.inactive
    assert keyed.providers["mistral"].base_url == "https://api.mistral.ai/v1"
    named = _config(tmp_path, "[providers.groq]\napi_key_command = ['pass', 'groq']\n", {})
    assert named.providers["groq"].base_url == "https://api.groq.com/openai/v1"


def test_the_described_config_says_how_to_switch_each_inactive_preset_on(tmp_path: Path) -> None:
    described = describe_config(_config(tmp_path, "[providers.ollama]\n", {"GROQ_API_KEY": "g"}))
    assert "ollama" in described["providers"] and "groq" in described["providers"]
    assert "ollama" not in described["inactive"] and "groq" not in described["inactive"]
    assert "set MISTRAL_API_KEY" in described["inactive"]["mistral"]
    assert "[providers.lmstudio]" in described["inactive"]["lmstudio"]
    assert "AZURE_OPENAI_ENDPOINT" in described["inactive"]["azure"]


def test_a_local_preset_is_active_only_when_the_config_names_it(tmp_path: Path) -> None:
    env = {"OLLAMA_API_KEY": "x", "LMSTUDIO_API_KEY": "x"}
    assert "ollama" not in _config(tmp_path, "", env).providers
    config = _config(tmp_path, "[providers.ollama]\n", env)
    assert config.providers["ollama"].base_url == "http://localhost:11434/v1"
    assert "lmstudio" in config.inactive and "[providers.lmstudio]" in config.inactive["lmstudio"]


async def test_an_inactive_preset_is_not_listed_nor_asked_for_models(tmp_path: Path) -> None:
    env = {"GROQ_API_KEY": "gk"}
    config = _config(tmp_path, "", env)
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env=env))
    models = {"object": "list", "data": [{"id": "llama-3.3-70b-versatile", "object": "model"}]}
    async with runtime:
        with respx.mock(assert_all_called=True) as mock:
            groq = mock.get("https://api.groq.com/openai/v1/models").respond(200, json=models)
            found = await runtime.discover_models(DiscoveryOptions(remote=True))
        ids = [p["id"] for p in runtime.describe_providers()]
    assert groq.calls.last.request.headers["authorization"] == "Bearer gk"
    assert ("groq", "llama-3.3-70b-versatile") in {(m.provider, m.id) for m in found.models}
    assert "groq" in ids and "mistral" not in ids and "ollama" not in ids
    failed = {w.details.get("provider") for w in found.warnings}
    assert not failed & {"mistral", "ollama", "deepseek"}


async def test_catalog_models_of_an_inactive_preset_are_not_listed(tmp_path: Path) -> None:
    listed: dict[str, set[str]] = {}
    for name, env in (("off", {}), ("on", {"MISTRAL_API_KEY": "mk"})):
        config = _config(tmp_path, "", env)
        runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env=env))
        async with runtime:
            found = await runtime.discover_models(DiscoveryOptions())
        listed[name] = {m.provider for m in found.models}
    assert "mistral" not in listed["off"] and "openai" in listed["off"]
    assert "mistral" in listed["on"] and "deepseek" not in listed["on"]


async def test_an_openrouter_id_under_an_inactive_presets_name_still_goes_to_openrouter(
    tmp_path: Path,
) -> None:
    """`deepseek/deepseek-chat` is an OpenRouter id too: with the deepseek preset off it goes
    where it went before the presets existed; with DEEPSEEK_API_KEY set, to DeepSeek."""
    env = {"OPENROUTER_API_KEY": "ork"}
    config = _config(tmp_path, "", env)
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env=env))
    request = ProviderRequest(
        model="deepseek/deepseek-chat", messages=[Message(role=MessageRole.USER, content="hi")]
    )
    async with runtime:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post("https://openrouter.ai/api/v1/chat/completions").respond(
                200, json=_reply()
            )
            await runtime.run(request)
    assert json.loads(route.calls.last.request.content)["model"] == "deepseek/deepseek-chat"
    env = {**env, "DEEPSEEK_API_KEY": "dk"}
    config = _config(tmp_path, "", env)
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env=env))
    async with runtime:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post("https://api.deepseek.com/chat/completions").respond(
                200, json=_reply()
            )
            response = await runtime.run(request)
    assert json.loads(route.calls.last.request.content)["model"] == "deepseek-chat"
    assert response.provider == "deepseek"


async def test_a_local_preset_routes_with_a_hint_and_sends_no_key_once_named(
    tmp_path: Path,
) -> None:
    off = _config(tmp_path, "", {})
    runtime = build_runtime(off, tokens=ConfigTokenProvider(off, env={}))
    request = ProviderRequest(
        model="ollama/llama3.2", messages=[Message(role=MessageRole.USER, content="hi")]
    )
    async with runtime:
        with pytest.raises(ConfigError, match=re.escape("[providers.ollama]")):
            await runtime.run(request)
    on = _config(tmp_path, "[providers.ollama]\n", {})
    runtime = build_runtime(on, tokens=ConfigTokenProvider(on, env={}))
    async with runtime:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post("http://localhost:11434/v1/chat/completions").respond(
                200, json=_reply("hello", reasoning="thought")
            )
            response = await runtime.run(request)
    assert "authorization" not in route.calls.last.request.headers
    assert response.output.text == "hello"


def _mistral_history() -> ProviderRequest:
    call = ToolCall(id="call_abcdefghijklmnopqrstuvwx", name="lookup", arguments={"q": "x"})
    return ProviderRequest(
        model="mistral/mistral-large-latest",
        messages=[
            Message(role=MessageRole.USER, content="look it up"),
            Message(role=MessageRole.ASSISTANT, content=[call]),
            Message(
                role=MessageRole.TOOL,
                content=[ToolResult(tool_call_id=call.id, content="found")],
            ),
        ],
        tools=[ToolDefinition(name="lookup", parameters={"type": "object"})],
        reasoning=ReasoningConfig(effort="high"),
    )


async def test_mistral_gets_nine_alphanumeric_tool_call_ids_and_no_reasoning_effort(
    tmp_path: Path,
) -> None:
    env = {"MISTRAL_API_KEY": "mk"}
    config = _config(tmp_path, "", env)
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env=env))
    async with runtime:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post("https://api.mistral.ai/v1/chat/completions").respond(
                200, json=_reply()
            )
            response = await runtime.run(_mistral_history())
    body = json.loads(route.calls.last.request.content)
    sent_id = body["messages"][1]["tool_calls"][0]["id"]
    assert re.fullmatch(r"[A-Za-z0-9]{9}", sent_id)
    assert body["messages"][2]["tool_call_id"] == sent_id
    assert "reasoning_effort" not in body
    codes = {w.code for w in response.warnings}
    assert {"handoff.tool_call_id_rewritten", "capability.reasoning_removed"} <= codes


async def test_deepseek_reasoning_comes_back_but_is_never_sent_back(tmp_path: Path) -> None:
    env = {"DEEPSEEK_API_KEY": "dk"}
    config = _config(tmp_path, "", env)
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env=env))
    earlier = ReasoningPart(text="9.8 > 9.11", provider="deepseek", model="deepseek-reasoner")
    request = ProviderRequest(
        model="deepseek/deepseek-reasoner",
        messages=[
            Message(role=MessageRole.USER, content="which is greater?"),
            Message(role=MessageRole.ASSISTANT, content=[earlier, TextPart(text="9.8")]),
            Message(
                role=MessageRole.USER,
                content=[
                    TextPart(text="and this?"),
                    ImagePart(url="https://example.test/a.png"),
                ],
            ),
        ],
        response_format=JsonSchemaFormat(name="answer", schema={"type": "object"}),
    )
    async with runtime:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post("https://api.deepseek.com/chat/completions").respond(
                200, json=_reply('{"a": 1}', reasoning_content="compare digits")
            )
            response = await runtime.run(request)
    body = json.loads(route.calls.last.request.content)
    assert all("reasoning_content" not in m for m in body["messages"])
    assert "compare digits" not in json.dumps(body) and "9.8 > 9.11" not in json.dumps(body)
    assert body["response_format"] == {"type": "json_object"}
    assert "image_url" not in json.dumps(body["messages"][2])
    reasoning = [p for p in response.output.content if isinstance(p, ReasoningPart)]
    assert [p.text for p in reasoning] == ["compare digits"]
    codes = {w.code for w in response.warnings}
    assert {"capability.json_schema_downgraded", "handoff.image_removed"} <= codes


async def test_xai_drops_stop_sequences_its_reasoning_models_reject(tmp_path: Path) -> None:
    env = {"XAI_API_KEY": "xk"}
    config = _config(tmp_path, "", env)
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env=env))
    request = ProviderRequest(
        model="xai/grok-4",
        messages=[Message(role=MessageRole.USER, content="count")],
        stop=["5"],
    )
    async with runtime:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post("https://api.x.ai/v1/chat/completions").respond(200, json=_reply())
            response = await runtime.run(request)
    assert "stop" not in json.loads(route.calls.last.request.content)
    assert "unsupported.stop" in {w.code for w in response.warnings}


@pytest.mark.parametrize(
    ("model", "url", "sent"),
    [
        ("mistral/mistral-small-latest", "https://api.mistral.ai/v1", True),
        ("mistral/magistral-medium-latest", "https://api.mistral.ai/v1", False),
        ("xai/grok-3-mini", "https://api.x.ai/v1", True),
        ("xai/grok-4.3", "https://api.x.ai/v1", True),
        ("xai/grok-4-0709", "https://api.x.ai/v1", False),
        ("xai/grok-4.20-reasoning", "https://api.x.ai/v1", False),
    ],
)
async def test_reasoning_effort_goes_only_to_the_models_documented_to_take_it(
    tmp_path: Path, model: str, url: str, sent: bool
) -> None:
    env = {"MISTRAL_API_KEY": "mk", "XAI_API_KEY": "xk"}
    config = _config(tmp_path, "", env)
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env=env))
    request = ProviderRequest(
        model=model,
        messages=[Message(role=MessageRole.USER, content="think")],
        reasoning=ReasoningConfig(effort="low"),
    )
    async with runtime:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post(f"{url}/chat/completions").respond(200, json=_reply())
            response = await runtime.run(request)
    body = json.loads(route.calls.last.request.content)
    assert ("reasoning_effort" in body) is sent
    removed = "capability.reasoning_removed" in {w.code for w in response.warnings}
    assert removed is not sent


def test_an_invalid_reasoning_model_pattern_names_its_key(tmp_path: Path) -> None:
    config = _config(tmp_path, '[providers.mistral.quirks]\nreasoning_model_pattern = "("\n', {})
    [problem] = config.problems
    assert problem.key == "providers.mistral.quirks.reasoning_model_pattern"
