"""protocol.md claims that describe behaviour, each checked against the code that has it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import respx

from provider_runtime.assembly import build_runtime
from provider_runtime.config import load_config
from provider_runtime.core import Message, MessageRole, PricingSource, ProviderRequest
from provider_runtime.core.types import ReasoningPart
from provider_runtime.providers.anthropic.decode import decode_anthropic_response
from tests.test_protocol_doc import TEXT, section

PRICED_SNAPSHOT = """
[[pricing]]
provider = "openai"
model = "my-alias-2031-01-01"
pricing = { input = "1", output = "2" }
"""


@respx.mock
async def test_section_3_a_call_is_priced_by_the_answers_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = " ".join(section(TEXT, 3).split())
    assert "the call is priced by the answer's id on the same provider" in doc
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    path = tmp_path / "c.toml"
    path.write_text(PRICED_SNAPSHOT)
    respx.post("https://api.openai.com/v1/chat/completions").respond(
        200,
        json={
            "id": "chatcmpl-1",
            "object": "chat.completion",
            "created": 1,
            "model": "my-alias-2031-01-01",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "ok"},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 500, "total_tokens": 1500},
        },
    )
    request = ProviderRequest(
        model="openai/my-alias", messages=[Message(role=MessageRole.USER, content="hi")]
    )
    async with build_runtime(load_config(path, env={})) as runtime:
        response = await runtime.run(request)
    assert response.cost is not None and response.cost.source is PricingSource.USER_CONFIG
    assert str(response.cost.total) == "0.002"
    assert not [w for w in response.warnings if w.code == "pricing.missing"]


def test_section_3_one_hour_cache_writes_have_their_own_rate() -> None:
    doc = " ".join(section(TEXT, 3).split())
    assert "all cache writes use the 5-minute price" not in doc
    assert "One-hour cache writes are modelled" in doc


def test_section_6_anthropic_reasoning_is_tagged_with_the_requested_id() -> None:
    doc = " ".join(section(TEXT, 6).split())
    assert "`model` = the model id the request named, not the response's `model`" in doc
    body = {
        "id": "msg_1",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-20250929",
        "content": [{"type": "thinking", "thinking": "hmm", "signature": "sig"}],
        "stop_reason": "end_turn",
        "usage": {"input_tokens": 3, "output_tokens": 2},
    }
    response = decode_anthropic_response(
        json.dumps(body).encode(), provider="anthropic", model="claude-sonnet-4-5"
    )
    [part] = response.output.content
    assert isinstance(part, ReasoningPart) and part.model == "claude-sonnet-4-5"
    assert response.model == "claude-sonnet-4-5-20250929"
