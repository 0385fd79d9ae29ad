"""The assembly module: every provider type is registered, and a named compatible preset is data."""

from __future__ import annotations

import asyncio
import json
import typing
from pathlib import Path

import pytest
import respx

from provider_runtime.assembly import ADAPTERS, build_runtime
from provider_runtime.config import BUILTIN_PROVIDERS, BuiltinProvider, ProviderConfig, load_config
from provider_runtime.core.errors import ConfigError
from provider_runtime.core.types import Message, MessageRole, ProviderRequest, ToolDefinition
from provider_runtime.credentials import ConfigTokenProvider
from provider_runtime.providers.openai import OpenAICompatQuirks

PRESET_URL = "https://api.preset.test/openai/v1"


def test_every_config_type_has_one_registration() -> None:
    types = set(typing.get_args(typing.get_type_hints(ProviderConfig)["type"]))
    assert "openai_compatible" in types
    assert types == set(ADAPTERS)


async def test_a_named_compatible_preset_needs_no_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    preset = BuiltinProvider(
        "PRESET_API_KEY",
        "PRESET_BASE_URL",
        PRESET_URL,
        type="openai_compatible",
        quirks=OpenAICompatQuirks(supports_tools=False, requires_api_key=True),
        optional=True,
        switch_env="PRESET_API_KEY",
    )
    monkeypatch.setitem(BUILTIN_PROVIDERS, "preset", preset)  # type: ignore[index]
    path = tmp_path / "config.toml"
    path.write_text("[providers.preset.quirks]\ndeveloper_role = true\n")
    env = {"PRESET_API_KEY": "sk-preset-123"}
    config = load_config(path, env=env)
    pc = config.providers["preset"]
    assert (pc.type, pc.base_url) == ("openai_compatible", PRESET_URL)
    assert pc.quirks == OpenAICompatQuirks(
        supports_tools=False, requires_api_key=True, developer_role=True
    )
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env=env))
    request = ProviderRequest(
        model="preset/some-model",
        messages=[
            Message(role=MessageRole.SYSTEM, content="Be brief."),
            Message(role=MessageRole.USER, content="hi"),
        ],
        tools=[ToolDefinition(name="search")],
    )
    reply = {
        "id": "c1",
        "model": "some-model",
        "choices": [{"index": 0, "message": {"content": "hello"}, "finish_reason": "stop"}],
    }
    async with runtime:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post(f"{PRESET_URL}/chat/completions").respond(200, json=reply)
            response = await runtime.run(request)
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Bearer sk-preset-123"
    body = json.loads(sent.content)
    assert body["messages"][0]["role"] == "developer" and "tools" not in body
    assert response.output.text == "hello"
    assert response.warnings[0].code == "capability.tools_removed"


def test_a_preset_named_without_its_key_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    preset = BuiltinProvider(
        "PRESET_API_KEY",
        None,
        PRESET_URL,
        type="openai_compatible",
        quirks=OpenAICompatQuirks(requires_api_key=True),
        optional=True,
        switch_env="PRESET_API_KEY",
    )
    monkeypatch.setitem(BUILTIN_PROVIDERS, "preset", preset)  # type: ignore[index]
    path = tmp_path / "config.toml"
    path.write_text("[providers.preset]\n")  # named: active, so its missing key is the error
    config = load_config(path, env={})
    tokens = ConfigTokenProvider(config, env={})
    with pytest.raises(ConfigError, match="PRESET_API_KEY"):
        asyncio.run(tokens.get_token("preset"))


async def test_an_inactive_preset_is_a_config_error_naming_the_variable_and_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    preset = BuiltinProvider(
        "PRESET_API_KEY",
        None,
        PRESET_URL,
        type="openai_compatible",
        quirks=OpenAICompatQuirks(requires_api_key=True),
        optional=True,
        switch_env="PRESET_API_KEY",
    )
    monkeypatch.setitem(BUILTIN_PROVIDERS, "preset", preset)  # type: ignore[index]
    path = tmp_path / "config.toml"
    path.write_text("")
    config = load_config(path, env={})
    assert "preset" not in config.providers
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env={}))
    request = ProviderRequest(
        model="preset/some-model", messages=[Message(role=MessageRole.USER, content="hi")]
    )
    async with runtime:
        with respx.mock(assert_all_called=False) as mock:
            route = mock.post(f"{PRESET_URL}/chat/completions")
            with pytest.raises(ConfigError) as caught:
                await runtime.run(request)
    assert not route.called
    assert "PRESET_API_KEY" in str(caught.value)
    assert "[providers.preset]" in str(caught.value)
    assert "preset" not in [p["id"] for p in runtime.describe_providers()]
