"""Azure OpenAI through the runtime: config, paths, credentials and content filters (respx)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import respx

from provider_runtime.assembly import build_runtime
from provider_runtime.config import load_config
from provider_runtime.core.errors import ConfigError
from provider_runtime.core.types import FinishReason, Message, MessageRole, ProviderRequest
from provider_runtime.credentials import ConfigTokenProvider
from provider_runtime.providers.azure import resource_root

RESOURCE = "https://contoso.openai.azure.com"
ENV = {"AZURE_OPENAI_ENDPOINT": f"{RESOURCE}/", "AZURE_OPENAI_API_KEY": "az-key-123"}
FIXTURES = Path(__file__).parent / "fixtures" / "azure"


def _config(tmp_path: Path, text: str, env: dict[str, str]) -> Any:
    path = tmp_path / "config.toml"
    path.write_text(text)
    return load_config(path, env=env)


def _request(model: str = "azure/gpt4o-prod") -> ProviderRequest:
    return ProviderRequest(model=model, messages=[Message(role=MessageRole.USER, content="hi")])


def _answer(name: str) -> Any:
    return json.loads((FIXTURES / name / "native_response.json").read_text())


async def _run(config: Any, env: dict[str, str], url: str, reply: Any) -> tuple[Any, Any]:
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env=env))
    async with runtime:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post(url).respond(200, json=reply)
            response = await runtime.run(_request())
    return route.calls.last.request, response


async def test_the_sdk_variables_switch_azure_on_with_the_v1_path_and_api_key_header(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path, "", ENV)
    assert config.providers["azure"].type == "azure"
    sent, response = await _run(
        config, ENV, f"{RESOURCE}/openai/v1/chat/completions", _answer("chat_text")
    )
    assert sent.headers["api-key"] == "az-key-123"
    assert "authorization" not in sent.headers
    assert "api-version" not in str(sent.url)
    assert json.loads(sent.content)["model"] == "gpt4o-prod"  # the deployment name
    assert response.output.text.startswith("Azure OpenAI serves")


async def test_an_entra_id_token_from_the_key_command_goes_as_a_bearer(tmp_path: Path) -> None:
    command = json.dumps([sys.executable, "-c", "print('entra-token-9')"])
    text = f'[providers.azure]\nauth = "bearer"\napi_key_command = {command}\n'
    config = _config(tmp_path, text, {"AZURE_OPENAI_ENDPOINT": RESOURCE})
    sent, _ = await _run(config, {}, f"{RESOURCE}/openai/v1/chat/completions", _answer("chat_text"))
    assert sent.headers["authorization"] == "Bearer entra-token-9"
    assert "api-key" not in sent.headers


async def test_api_version_selects_the_deployment_path(tmp_path: Path) -> None:
    text = '[providers.azure]\nbase_url = "https://eu.openai.azure.com/openai/v1"\n'
    text += 'api_version = "2024-10-21"\n'
    config = _config(tmp_path, text, {"AZURE_OPENAI_API_KEY": "k"})
    url = "https://eu.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions"
    sent, _ = await _run(config, {"AZURE_OPENAI_API_KEY": "k"}, url, _answer("chat_text"))
    assert sent.url.params["api-version"] == "2024-10-21"


async def test_api_responses_posts_to_the_v1_responses_path_statelessly(tmp_path: Path) -> None:
    config = _config(tmp_path, '[providers.azure]\napi = "responses"\n', ENV)
    reply = {
        "id": "resp_az1",
        "object": "response",
        "status": "completed",
        "model": "o4-mini",
        "output": [
            {
                "type": "message",
                "id": "msg_1",
                "role": "assistant",
                "status": "completed",
                "content": [{"type": "output_text", "text": "hello", "annotations": []}],
            }
        ],
        "usage": {"input_tokens": 5, "output_tokens": 1, "total_tokens": 6},
    }
    sent, response = await _run(config, ENV, f"{RESOURCE}/openai/v1/responses", reply)
    body = json.loads(sent.content)
    assert body["store"] is False and body["model"] == "gpt4o-prod"
    assert response.output.text == "hello"


async def test_a_filtered_answer_is_content_filter_with_the_categories_named(
    tmp_path: Path,
) -> None:
    config = _config(tmp_path, "", ENV)
    _, response = await _run(
        config, ENV, f"{RESOURCE}/openai/v1/chat/completions", _answer("content_filter_output")
    )
    assert response.finish_reason is FinishReason.CONTENT_FILTER
    [note] = [w for w in response.warnings if w.code == "response.content_filter"]
    assert note.details["categories"] == ["protected_material_text", "violence"]
    assert "violence" in note.message


async def test_a_responses_answer_the_filter_stopped_warns_too(tmp_path: Path) -> None:
    config = _config(tmp_path, '[providers.azure]\napi = "responses"\n', ENV)
    stopped = json.loads(
        (
            Path(__file__).parent
            / "fixtures"
            / "openai_responses"
            / "incomplete_content_filter"
            / "native_response.json"
        ).read_text()
    )
    _, response = await _run(config, ENV, f"{RESOURCE}/openai/v1/responses", stopped)
    assert response.finish_reason is FinishReason.CONTENT_FILTER
    [note] = [w for w in response.warnings if w.code == "response.content_filter"]
    assert note.details["categories"] == [] and "no category named" in note.message


async def test_without_an_endpoint_azure_is_off_and_says_what_to_set(tmp_path: Path) -> None:
    config = _config(tmp_path, "", {"AZURE_OPENAI_API_KEY": "k"})
    assert "azure" not in config.providers
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env={}))
    async with runtime:
        with pytest.raises(ConfigError, match="AZURE_OPENAI_ENDPOINT"):
            await runtime.run(_request())
    named = _config(tmp_path, "[providers.azure]\n", {})
    [problem] = named.problems
    assert problem.key == "providers.azure.base_url" and "AZURE_OPENAI_ENDPOINT" in problem.problem


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[providers.azure]\napi = "auto"\n', "providers.azure.api"),
        ('[providers.openai]\nauth = "bearer"\n', "providers.openai.auth"),
        ('[providers.openai]\napi_version = "2024-10-21"\n', "providers.openai.api_version"),
        ('[providers.azure.headers]\napi-key = "x"\n', "providers.azure.headers"),
    ],
)
def test_azure_settings_are_checked_and_name_the_key(tmp_path: Path, text: str, key: str) -> None:
    config = _config(tmp_path, text, ENV)
    assert [p.key for p in config.problems] == [key]


def test_the_resource_root_tolerates_the_api_suffixes() -> None:
    for given in (RESOURCE, f"{RESOURCE}/", f"{RESOURCE}/openai", f"{RESOURCE}/openai/v1/"):
        assert resource_root(given) == RESOURCE


@pytest.mark.parametrize(
    ("config_text", "url", "sent_fields", "codes"),
    [
        (
            "",
            f"{RESOURCE}/openai/v1/chat/completions",
            {"prompt_cache_key": "tenant-7", "prompt_cache_retention": "24h"},
            [],
        ),
        (
            '[providers.azure]\napi_version = "2024-10-21"\n',
            f"{RESOURCE}/openai/deployments/gpt-5.1/chat/completions?api-version=2024-10-21",
            {},
            ["cache.retention_unsupported", "cache.key_dropped"],
        ),
    ],
    ids=["v1", "api_version"],
)
async def test_cache_intent_reaches_the_v1_api_and_is_dropped_with_warnings_on_a_dated_one(
    tmp_path: Path, config_text: str, url: str, sent_fields: dict[str, str], codes: list[str]
) -> None:
    """Azure's prompt caching guide: `prompt_cache_key` and `prompt_cache_retention` (24h for
    gpt-5.1); the dated API versions know neither field."""
    config = _config(tmp_path, config_text, ENV)
    runtime = build_runtime(config, tokens=ConfigTokenProvider(config, env=ENV))
    request = ProviderRequest(
        model="azure/gpt-5.1",
        messages=[Message(role=MessageRole.USER, content="hi")],
        cache_key="tenant-7",
        cache_retention="extended",
    )
    async with runtime:
        with respx.mock(assert_all_called=True) as mock:
            route = mock.post(url).respond(200, json=_answer("chat_text"))
            response = await runtime.run(request)
    body = json.loads(route.calls.last.request.content)
    assert {k: v for k, v in body.items() if k.startswith("prompt_cache")} == sent_fields
    assert [w.code for w in response.warnings if w.code.startswith("cache.")] == codes
