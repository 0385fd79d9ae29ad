"""End to end through the spawned daemon: Azure OpenAI and a named preset over a loopback server.

The daemon reads the SDKs' environment variables (AZURE_OPENAI_ENDPOINT, MISTRAL_API_KEY) and a
config; `initialize` lists only the providers that are on, and calls reach the loopback server
with the right path, credential header and body.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.daemon_client import isolated_env, run_params, spawn_daemon
from tests.loopback_provider import loopback_provider, reply
from tests.openapi import validate_request

KEY = "az-secret-key-5150"
FILTERED = json.loads(
    (
        Path(__file__).parent
        / "fixtures"
        / "azure"
        / "content_filter_output"
        / "native_response.json"
    ).read_text()
)


async def test_daemon_reaches_azure_from_the_sdk_variables(tmp_path: Path) -> None:
    async with loopback_provider({"gpt4o-prod": [reply(200, FILTERED)]}) as server:
        env = isolated_env(tmp_path, AZURE_OPENAI_ENDPOINT=server.url, AZURE_OPENAI_API_KEY=KEY)
        async with spawn_daemon(tmp_path, config=None, env=env) as d:
            init = await d.request("initialize", {})
            answer = await d.request("runtime/run", run_params("hi", model="azure/gpt4o-prod"))
        exchange = server.attempts("gpt4o-prod")[0]
    ids = [p["id"] for p in init["result"]["providers"]]
    assert "azure" in ids and "mistral" not in ids and "ollama" not in ids
    assert exchange.path == "/openai/v1/chat/completions"
    assert exchange.headers["api-key"] == KEY and "authorization" not in exchange.headers
    validate_request("openai", "/chat/completions", exchange.json)
    result = answer["result"]
    assert result["finish_reason"] == "content_filter"
    [note] = [w for w in result["warnings"] if w["code"] == "response.content_filter"]
    assert note["details"]["categories"] == ["protected_material_text", "violence"]
    assert KEY.encode() not in d.stdout_raw


async def test_daemon_serves_a_keyed_preset_and_names_the_key_of_one_that_is_off(
    tmp_path: Path,
) -> None:
    config = '[providers.mistral]\nbase_url = "{url}"\n'
    history = [
        {"role": "user", "content": "Weather?"},
        {
            "role": "assistant",
            "content": [{"type": "tool_call", "id": "toolu_01A09q90qw90lq917835lq9", "name": "w"}],
        },
        {
            "role": "tool",
            "content": [
                {
                    "type": "tool_result",
                    "tool_call_id": "toolu_01A09q90qw90lq917835lq9",
                    "content": "18",
                }
            ],
        },
    ]
    async with loopback_provider({}) as server:
        env = isolated_env(tmp_path, MISTRAL_API_KEY="mk-1")
        async with spawn_daemon(tmp_path, config=config.format(url=server.url), env=env) as d:
            init = await d.request("initialize", {})
            answer = await d.request(
                "runtime/run", {"model": "mistral/mistral-large-latest", "messages": history}
            )
            off = await d.request("runtime/run", run_params("hi", model="groq/llama-3.3-70b"))
        exchange = server.exchanges[0]
    ids = [p["id"] for p in init["result"]["providers"]]
    assert "mistral" in ids and "groq" not in ids
    assert exchange.headers["authorization"] == "Bearer mk-1"
    sent = exchange.json["messages"]
    assert re.fullmatch(r"[A-Za-z0-9]{9}", sent[1]["tool_calls"][0]["id"])
    assert sent[2]["tool_call_id"] == sent[1]["tool_calls"][0]["id"]
    [text] = answer["result"]["output"]["content"]
    assert (text["type"], text["text"]) == ("text", "loopback says hi")
    assert off["error"]["data"]["kind"] == "config"
    assert "GROQ_API_KEY" in off["error"]["message"]
