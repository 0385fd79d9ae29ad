"""The one call every driver makes, per provider API, and the fixed answers the mock returns.

Five APIs, each the same call (system + "Say hello.", 64 max tokens): OpenAI Chat Completions,
Anthropic Messages, OpenAI Responses, Gemini ``generateContent`` and Bedrock Converse. Each
``Api`` holds what the raw-httpx floor posts (what the official SDK sends for the call), the
path and headers, the model id the runtime is asked for, and the mock's answer. Shapes follow
the official specs; ``tests/test_bench_smoke.py`` validates every request and answer against
the repository's copies (OpenAPI for four, botocore's service model for Converse).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

API_KEY = "sk-bench-not-a-real-key"
SYSTEM = "You are a terse assistant."
PROMPT = "Say hello."
MAX_TOKENS = 64

OPENAI_MODEL = "gpt-4o-mini"
ANTHROPIC_MODEL = "claude-haiku-4-5"
RESPONSES_MODEL = "gpt-4.1-mini"
GEMINI_MODEL = "gemini-2.5-flash"
BEDROCK_MODEL = "anthropic.claude-haiku-4-5-20251001-v1:0"


@dataclass(frozen=True)
class Api:
    name: str
    path: str  # appended to the mock's base URL by the floor
    suffix: str  # how the mock recognises a POST for this API
    headers: dict[str, str]  # what the floor sends besides content-type
    request: dict[str, Any]  # what the floor posts (the SDK's body for the call)
    response: dict[str, Any]  # the mock's answer
    response_headers: bytes  # extra response header lines (request id)
    model: str  # the runtime's model id for the call
    config: str  # the config table that routes ``model`` to the mock (``{url}`` filled in)


def openai_messages() -> list[dict[str, Any]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT}]


OPENAI_RESPONSE: dict[str, Any] = {
    "id": "chatcmpl-bench0000000000000000000001",
    "object": "chat.completion",
    "created": 1741569952,
    "model": "gpt-4o-mini-2024-07-18",
    "choices": [
        {
            "index": 0,
            "message": {
                "role": "assistant",
                "content": "Hello!",
                "refusal": None,
                "annotations": [],
            },
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {
        "prompt_tokens": 19,
        "completion_tokens": 3,
        "total_tokens": 22,
        "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": 0,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    },
    "service_tier": "default",
    "system_fingerprint": "fp_bench0001",
}

ANTHROPIC_RESPONSE: dict[str, Any] = {
    "id": "msg_01BenchBenchBenchBench0001",
    "type": "message",
    "role": "assistant",
    "model": "claude-haiku-4-5-20251001",
    "content": [{"type": "text", "text": "Hello!", "citations": None}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 16,
        "output_tokens": 5,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
        "cache_creation": {"ephemeral_5m_input_tokens": 0, "ephemeral_1h_input_tokens": 0},
        "server_tool_use": None,
        "service_tier": "standard",
    },
}

RESPONSES_RESPONSE: dict[str, Any] = {
    "id": "resp_bench0000000000000000000000000001",
    "object": "response",
    "created_at": 1767225600,
    "status": "completed",
    "error": None,
    "incomplete_details": None,
    "instructions": SYSTEM,
    "model": "gpt-4.1-mini-2025-04-14",
    "output": [
        {
            "type": "message",
            "id": "msg_bench0001",
            "status": "completed",
            "role": "assistant",
            "content": [
                {"type": "output_text", "text": "Hello!", "annotations": [], "logprobs": []}
            ],
        }
    ],
    "parallel_tool_calls": True,
    "metadata": {},
    "tool_choice": "auto",
    "tools": [],
    "temperature": 1.0,
    "top_p": 1.0,
    "store": False,
    "usage": {
        "input_tokens": 19,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": 3,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 22,
    },
}

GEMINI_RESPONSE: dict[str, Any] = {
    "candidates": [
        {
            "content": {"parts": [{"text": "Hello!"}], "role": "model"},
            "finishReason": "STOP",
            "index": 0,
        }
    ],
    "usageMetadata": {
        "promptTokenCount": 12,
        "candidatesTokenCount": 3,
        "totalTokenCount": 15,
        "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 12}],
    },
    "modelVersion": "gemini-2.5-flash",
    "responseId": "bench0000000000000000001",
}

CONVERSE_RESPONSE: dict[str, Any] = {
    "output": {"message": {"role": "assistant", "content": [{"text": "Hello!"}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 16, "outputTokens": 5, "totalTokens": 21},
    "metrics": {"latencyMs": 1},
}

_KEY = f'api_key = "{API_KEY}"\n'

APIS: dict[str, Api] = {
    api.name: api
    for api in (
        Api(
            name="openai",
            path="/v1/chat/completions",
            suffix="/chat/completions",
            headers={"authorization": f"Bearer {API_KEY}"},
            request={
                "model": OPENAI_MODEL,
                "messages": openai_messages(),
                "max_completion_tokens": MAX_TOKENS,
            },
            response=OPENAI_RESPONSE,
            response_headers=b"x-request-id: req_bench_openai\r\n",
            model=f"openai/{OPENAI_MODEL}",
            config='[providers.openai]\nbase_url = "{url}/v1"\n' + _KEY,
        ),
        Api(
            name="anthropic",
            path="/v1/messages",
            suffix="/messages",
            headers={"x-api-key": API_KEY, "anthropic-version": "2023-06-01"},
            request={
                "model": ANTHROPIC_MODEL,
                "max_tokens": MAX_TOKENS,
                "system": SYSTEM,
                "messages": [{"role": "user", "content": PROMPT}],
            },
            response=ANTHROPIC_RESPONSE,
            response_headers=b"request-id: req_bench_anthropic\r\n",
            model=f"anthropic/{ANTHROPIC_MODEL}",
            config='[providers.anthropic]\nbase_url = "{url}"\n' + _KEY,
        ),
        Api(
            name="responses",
            path="/v1/responses",
            suffix="/responses",
            headers={"authorization": f"Bearer {API_KEY}"},
            request={
                "model": RESPONSES_MODEL,
                "instructions": SYSTEM,
                "input": [{"role": "user", "content": PROMPT}],
                "max_output_tokens": MAX_TOKENS,
                "store": False,
            },
            response=RESPONSES_RESPONSE,
            response_headers=b"x-request-id: req_bench_responses\r\n",
            model=f"openai-responses/{RESPONSES_MODEL}",
            config=(
                '[providers.openai-responses]\ntype = "openai"\napi = "responses"\n'
                'base_url = "{url}/v1"\n' + _KEY
            ),
        ),
        Api(
            name="gemini",
            path=f"/v1beta/models/{GEMINI_MODEL}:generateContent",
            suffix=":generateContent",
            headers={"x-goog-api-key": API_KEY},
            request={
                "systemInstruction": {"parts": [{"text": SYSTEM}]},
                "contents": [{"role": "user", "parts": [{"text": PROMPT}]}],
                "generationConfig": {"maxOutputTokens": MAX_TOKENS},
            },
            response=GEMINI_RESPONSE,
            response_headers=b"",
            model=f"google/{GEMINI_MODEL}",
            config='[providers.google]\nbase_url = "{url}/v1beta"\n' + _KEY,
        ),
        Api(
            name="converse",
            path=f"/model/{quote(BEDROCK_MODEL, safe='')}/converse",
            suffix="/converse",
            headers={"authorization": f"Bearer {API_KEY}"},
            request={
                "system": [{"text": SYSTEM}],
                "messages": [{"role": "user", "content": [{"text": PROMPT}]}],
                "inferenceConfig": {"maxTokens": MAX_TOKENS},
            },
            response=CONVERSE_RESPONSE,
            response_headers=b"x-amzn-RequestId: 7f1c2a9e-bench-4c0e-9d1a-000000000001\r\n",
            model=f"bedrock/{BEDROCK_MODEL}",
            config='[providers.bedrock]\nbase_url = "{url}"\nregion = "us-east-1"\n' + _KEY,
        ),
    )
}


def canonical_request(api: str) -> dict[str, Any]:
    """The same call as a provider-runtime ``ProviderRequest`` (JSON form)."""
    return {
        "model": APIS[api].model,
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT}],
        "max_output_tokens": MAX_TOKENS,
    }


def config_toml(base_url: str) -> str:
    """One config routing every API's model to the mock at ``base_url``."""
    return "\n".join(api.config.replace("{url}", base_url) for api in APIS.values())


def response_for(path: str) -> Api | None:
    """The API a POST to ``path`` is for (None: not a path the mock serves)."""
    for api in APIS.values():
        if path.endswith(api.suffix):
            return api
    return None


def encode(body: dict[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()
