"""The one request every driver sends, and the fixed answers the mock provider returns.

Response shapes follow the official specs (OpenAI ``CreateChatCompletionResponse``, Anthropic
``Message``); ``tests/test_bench_smoke.py`` validates them against those documents.
"""

from __future__ import annotations

import json
from typing import Any

OPENAI_MODEL = "gpt-4o-mini"
ANTHROPIC_MODEL = "claude-haiku-4-5"
API_KEY = "sk-bench-not-a-real-key"
SYSTEM = "You are a terse assistant."
PROMPT = "Say hello."
MAX_TOKENS = 64
APIS = ("openai", "anthropic")

OPENAI_PATH = "/v1/chat/completions"
ANTHROPIC_PATH = "/v1/messages"


def openai_messages() -> list[dict[str, Any]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT}]


def openai_request() -> dict[str, Any]:
    """What the OpenAI SDK sends for this call; the raw-httpx floor posts it prebuilt."""
    return {
        "model": OPENAI_MODEL,
        "messages": openai_messages(),
        "max_completion_tokens": MAX_TOKENS,
    }


def anthropic_request() -> dict[str, Any]:
    return {
        "model": ANTHROPIC_MODEL,
        "max_tokens": MAX_TOKENS,
        "system": SYSTEM,
        "messages": [{"role": "user", "content": PROMPT}],
    }


def canonical_request(api: str) -> dict[str, Any]:
    """The same call as a provider-runtime ``ProviderRequest`` (JSON form)."""
    model = f"openai/{OPENAI_MODEL}" if api == "openai" else f"anthropic/{ANTHROPIC_MODEL}"
    return {
        "model": model,
        "messages": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": PROMPT}],
        "max_output_tokens": MAX_TOKENS,
    }


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


def response_body(path: str) -> bytes | None:
    """The fixed answer for a POST to ``path`` (None: not a path the mock serves)."""
    if path.endswith("/chat/completions"):
        return json.dumps(OPENAI_RESPONSE, separators=(",", ":")).encode()
    if path.endswith("/messages"):
        return json.dumps(ANTHROPIC_RESPONSE, separators=(",", ":")).encode()
    return None
