"""`runtime/models` says which API a call to each OpenAI or Azure model uses, and the call agrees.

Through the spawned daemon against a loopback server: catalog models (o3-pro reasons, gpt-4o
does not), a config `[[models]]` entry, models only remote discovery found (one a dated id of a
catalog reasoning model) and an Azure deployment are listed with `api`; each is then called and
must reach the path its listing named. Providers with one API list `api: null`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from tests.daemon_client import isolated_env, run_params, spawn_daemon
from tests.loopback_provider import OPENAI_OK, Action, Exchange, loopback_provider, reply

# https://platform.openai.com/docs/api-reference/responses/object
RESPONSES_OK = {
    "id": "resp_loop",
    "object": "response",
    "created_at": 1767225600,
    "status": "completed",
    "model": "loop",
    "output": [
        {
            "type": "message",
            "id": "msg_1",
            "status": "completed",
            "role": "assistant",
            "content": [{"type": "output_text", "text": "via responses", "annotations": []}],
        }
    ],
    "usage": {"input_tokens": 3, "output_tokens": 2, "total_tokens": 5},
}
# https://platform.openai.com/docs/api-reference/models/list
MODEL_LIST = {
    "object": "list",
    "data": [
        {"id": "gpt-house-mini", "object": "model", "created": 1767225600, "owned_by": "org"},
        {"id": "o3-2099-01-01", "object": "model", "created": 1767225600, "owned_by": "openai"},
    ],
}
CONFIG = """
[providers.openai]
base_url = "{url}/v1"

[providers.azure]
type = "azure"
base_url = "{url}"
api = "responses"

[[models]]
provider = "openai"
id = "house-reasoner"
capabilities = {{ reasoning = true }}

[[models]]
provider = "azure"
id = "prod-deploy"
"""
EXPECTED = {
    ("openai", "o3-pro"): ("responses", "static"),
    ("openai", "gpt-4o"): ("chat", "static"),
    ("openai", "house-reasoner"): ("responses", "config"),
    ("openai", "gpt-house-mini"): ("chat", "remote"),
    ("openai", "o3-2099-01-01"): ("responses", "remote"),
    ("azure", "prod-deploy"): ("responses", "config"),
}


def by_path() -> Action:
    """Answers as the API the request reached: Responses, the model list, or Chat."""
    responses, models, chat = (
        reply(200, RESPONSES_OK),
        reply(200, MODEL_LIST),
        reply(200, OPENAI_OK),
    )

    async def act(ex: Exchange, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        if ex.path.endswith("/models"):
            return await models(ex, r, w)
        return await (responses if "/responses" in ex.path else chat)(ex, r, w)

    return act


def api_of(path: str) -> str:
    return "responses" if path.split("?")[0].endswith("/responses") else "chat"


async def test_each_listed_api_is_the_one_its_call_uses(tmp_path: Path) -> None:
    async with loopback_provider(default=by_path()) as server:
        env = isolated_env(tmp_path, OPENAI_API_KEY="sk-list", AZURE_OPENAI_API_KEY="az-list")
        config = CONFIG.format(url=server.url)
        async with spawn_daemon(tmp_path, config=config, env=env) as d:
            listed = await d.request("runtime/models", {"remote": True})
            answers = {
                key: await d.request("runtime/run", run_params("hi", model="/".join(key)))
                for key in EXPECTED
            }
        calls = [ex for ex in server.exchanges if ex.method == "POST"]
    entries = {(m["provider"], m["id"]): m for m in listed["result"]["models"]}
    assert {k: (entries[k]["api"], entries[k]["source"]) for k in EXPECTED} == EXPECTED
    assert [api_of(ex.path) for ex in calls] == [entries[k]["api"] for k in EXPECTED]
    assert [ex.json["model"] for ex in calls] == [model for _, model in EXPECTED]
    assert all("error" not in answer for answer in answers.values())


async def test_providers_with_one_api_list_null(tmp_path: Path) -> None:
    """A compatible server (the Mistral preset) defaults to Chat Completions; echo has one API."""
    env = isolated_env(tmp_path, MISTRAL_API_KEY="mk-1")
    async with spawn_daemon(tmp_path, env=env) as d:
        params = {"providers": ["echo", "openai", "mistral"]}
        listed = (await d.request("runtime/models", params))["result"]
    apis: dict[str, set[Any]] = {}
    for m in listed["models"]:
        apis.setdefault(m["provider"], set()).add(m["api"])
    assert apis == {"echo": {None}, "openai": {"chat", "responses"}, "mistral": {"chat"}}
