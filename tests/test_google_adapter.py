"""Gemini adapter through its layers: discovery paging, the key's environment fallback, the
request path, and one end-to-end call through the spawned daemon against a loopback server."""

from __future__ import annotations

from pathlib import Path

import pytest
import respx

from provider_runtime.config import load_config
from provider_runtime.core import (
    AdapterContext,
    ErrorKind,
    FinishReason,
    Message,
    MessageRole,
    ModelRef,
    ProviderError,
    ProviderRequest,
    Secret,
)
from provider_runtime.credentials import ConfigTokenProvider
from provider_runtime.providers.google import (
    GoogleAdapter,
    decode_gemini_response,
    takes_function_response_media,
)
from provider_runtime.transport import HttpTransport, RetryPolicy
from tests.daemon_client import isolated_env, run_params, spawn_daemon
from tests.loopback_provider import loopback_provider, reply
from tests.openapi import validate

BASE = "https://generativelanguage.googleapis.com/v1beta"
KEY = "gk-test-0123456789"
USER = Message(role=MessageRole.USER, content="x")


def model(name: str, methods: list[str]) -> dict[str, object]:
    return {
        "name": f"models/{name}",
        "baseModelId": name,
        "version": "001",
        "displayName": name.title(),
        "inputTokenLimit": 1048576,
        "outputTokenLimit": 65536,
        "supportedGenerationMethods": methods,
        "thinking": True,
    }


@respx.mock
async def test_discovery_follows_next_page_token_and_keeps_generate_content_models() -> None:
    first = {
        "models": [
            model("gemini-2.5-flash", ["generateContent", "countTokens"]),
            model("embedding-001", ["embedContent"]),
        ],
        "nextPageToken": "tok-2",
    }
    second = {"models": [model("gemini-2.5-pro", ["generateContent"])]}
    validate("gemini", "ListModelsResponse", first)
    # the more specific route first: respx takes the first that matches
    page2 = respx.get(f"{BASE}/models", params={"pageSize": "1000", "pageToken": "tok-2"}).respond(
        200, json=second
    )
    page1 = respx.get(f"{BASE}/models", params={"pageSize": "1000"}).respond(200, json=first)
    adapter = GoogleAdapter(HttpTransport(), retry=RetryPolicy(max_retries=0))
    models = await adapter.discover_models(Secret(KEY))
    assert page1.called and page2.called
    assert [m.id for m in models] == ["gemini-2.5-flash", "gemini-2.5-pro"]
    flash = models[0]
    assert (flash.context_window, flash.max_output_tokens, flash.source) == (
        1048576,
        65536,
        "remote",
    )
    assert flash.capabilities.reasoning is True
    assert page2.calls.last.request.headers["x-goog-api-key"] == KEY


@respx.mock
async def test_the_model_is_in_the_path_and_the_key_in_its_header() -> None:
    route = respx.post(f"{BASE}/models/gemini-2.5-flash:generateContent").respond(
        200,
        json={
            "candidates": [{"content": {"role": "model", "parts": [{"text": "hi"}]}}],
            "responseId": "r1",
        },
    )
    adapter = GoogleAdapter(HttpTransport(), retry=RetryPolicy(max_retries=0))
    request = ProviderRequest(model="google/gemini-2.5-flash", messages=[USER])  # type: ignore[list-item]
    context = AdapterContext(
        model=ModelRef(provider="google", id="gemini-2.5-flash"), credential=Secret(KEY)
    )
    response = await adapter.run(request, context)
    sent = route.calls.last.request
    assert sent.headers["x-goog-api-key"] == KEY and "authorization" not in sent.headers
    assert (response.request_id, response.finish_reason) == ("r1", FinishReason.OTHER)


@respx.mock
async def test_a_404_about_another_address_advises_on_the_base_url() -> None:
    respx.post(url__startswith="https://proxy.example/models/").respond(404, text="Not Found")
    adapter = GoogleAdapter(
        HttpTransport(), base_url="https://proxy.example", retry=RetryPolicy(max_retries=0)
    )
    request = ProviderRequest(model="google/gemini-2.5-flash", messages=[USER])  # type: ignore[list-item]
    context = AdapterContext(model=ModelRef(provider="google", id="gemini-2.5-flash"))
    with pytest.raises(ProviderError) as info:
        await adapter.run(request, context)
    assert info.value.kind is ErrorKind.NOT_FOUND
    assert "/models/MODEL:generateContent" in info.value.message


def test_an_unknown_finish_reason_is_other_with_a_warning() -> None:
    body = b'{"candidates": [{"content": {"parts": [{"text": "x"}]}, "finishReason": "NEW_ONE"}]}'
    response = decode_gemini_response(body, provider="google", model="gemini-2.5-flash")
    assert (response.finish_reason, response.finish_reason_raw) == (FinishReason.OTHER, "NEW_ONE")
    assert [w.code for w in response.warnings] == ["response.unknown_finish_reason"]


def test_no_candidates_and_no_block_reason_is_a_protocol_error() -> None:
    with pytest.raises(ProviderError) as info:
        decode_gemini_response(b'{"responseId": "x"}', provider="google", model="m")
    assert info.value.kind is ErrorKind.PROTOCOL


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"GEMINI_API_KEY": "gem", "GOOGLE_API_KEY": "goo"}, "gem"),
        ({"GOOGLE_API_KEY": "goo"}, "goo"),
        ({"GEMINI_API_KEY": " ", "GOOGLE_API_KEY": "goo"}, "goo"),
    ],
)
async def test_the_key_comes_from_gemini_api_key_else_google_api_key(
    env: dict[str, str], expected: str
) -> None:
    config = load_config(env=env)
    secret = await ConfigTokenProvider(config, env=env).get_token("google")
    assert secret is not None and secret.reveal() == expected


async def test_a_chosen_key_variable_gets_no_fallback(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[providers.google]\napi_key_env = "MY_GEMINI_KEY"\n')
    env = {"GOOGLE_API_KEY": "goo"}
    config = load_config(path, env=env)
    with pytest.raises(Exception, match="MY_GEMINI_KEY"):
        await ConfigTokenProvider(config, env=env).get_token("google")


GEMINI_OK = {
    "candidates": [
        {
            "content": {
                "role": "model",
                "parts": [{"text": "loopback gemini", "thoughtSignature": "EpwCAQ=="}],
            },
            "finishReason": "STOP",
        }
    ],
    "usageMetadata": {"promptTokenCount": 7, "candidatesTokenCount": 2, "totalTokenCount": 9},
    "modelVersion": "gemini-2.5-flash-001",
    "responseId": "loop-1",
}


async def test_end_to_end_through_the_daemon(tmp_path: Path) -> None:
    path = "/models/gemini-2.5-flash:generateContent"
    async with loopback_provider({path: [reply(200, GEMINI_OK)]}) as server:
        config = f'[providers.google]\nbase_url = "{server.url}"\nmax_retries = 0\n'
        env = isolated_env(tmp_path, GEMINI_API_KEY=KEY)
        async with spawn_daemon(tmp_path, config=config, env=env) as daemon:
            await daemon.request("initialize")
            params = run_params("hello", model="google/gemini-2.5-flash", max_output_tokens=50)
            answer = (await daemon.request("runtime/run", params))["result"]
    (exchange,) = server.exchanges
    assert (exchange.method, exchange.path) == ("POST", path)
    assert exchange.headers["x-goog-api-key"] == KEY
    assert exchange.json["generationConfig"] == {"maxOutputTokens": 50}
    assert answer["output"]["content"] == [
        {
            "type": "text",
            "text": "loopback gemini",
            "signature": {"provider": "google", "model": "gemini-2.5-flash", "value": "EpwCAQ=="},
        }
    ]
    assert (answer["model"], answer["request_id"], answer["finish_reason"]) == (
        "gemini-2.5-flash-001",
        "loop-1",
        "stop",
    )
    assert answer["usage"]["input_tokens"] == 7 and answer["usage"]["output_tokens"] == 2
    assert KEY not in str(answer)


@pytest.mark.parametrize(
    ("model", "takes"),
    [
        ("gemini-3-pro-preview", True),
        ("models/gemini-3.1-pro-preview", True),
        ("gemini-3-flash-preview", True),
        ("gemini-2.5-pro", False),
        ("gemini-2.0-flash", False),
        ("gemini-flash-latest", False),  # an alias: which family it names changes; text is safe
        ("gemma-3-27b-it", False),
    ],
)
def test_images_go_into_function_responses_only_for_gemini_3_and_later(
    model: str, takes: bool
) -> None:
    assert takes_function_response_media(model) is takes
