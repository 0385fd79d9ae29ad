"""``runtime/countTokens`` and ``runtime/price`` against the real daemon process, offline (echo)
and against a loopback Anthropic (counting endpoint, errors and rate-limit headers)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .daemon_client import isolated_env, run_params, spawn_daemon
from .loopback_provider import ANTHROPIC_OK, loopback_provider, reply

DATE = "Mon, 26 May 2025 05:00:04 GMT"
USAGE = {"input_tokens": 12000, "output_tokens": 800, "cache_read_tokens": 8000}


async def test_count_tokens_is_what_the_echo_run_reports(tmp_path: Path) -> None:
    params = run_params("How large is this prompt, exactly?", max_output_tokens=100)
    params["tools"] = [{"name": "f", "parameters": {"type": "object", "properties": {}}}]
    async with spawn_daemon(tmp_path, config=None) as daemon:
        await daemon.request("initialize")
        counted = (await daemon.request("runtime/countTokens", params))["result"]
        answered = (await daemon.request("runtime/run", params))["result"]
        unknown = await daemon.request("runtime/countTokens", run_params("hi", model="nope/x"))
        missing = await daemon.request("runtime/countTokens")
    assert counted["input_tokens"] == answered["usage"]["input_tokens"]
    assert (counted["exact"], counted["source"]) == (False, "estimate")
    assert (counted["context_window"], counted["fits"]) == (32768, True)
    assert answered["rate_limit"] is None  # echo sends no rate-limit headers
    assert unknown["error"]["code"] == -32002
    assert missing["error"]["code"] == -32602


async def test_price_answers_per_model_and_refuses_bad_usage(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path, config=None) as daemon:
        await daemon.request("initialize")
        listed = await daemon.request(
            "runtime/price", {"model": ["openai/gpt-4o", "echo/unlisted-model"], "usage": USAGE}
        )
        single = await daemon.request("runtime/price", {"model": "openai/gpt-4o", "usage": USAGE})
        bad: dict[str, Any] = {}
        for name, usage in {
            "negative": {"input_tokens": 5, "output_tokens": -1},
            "fraction": {"input_tokens": 2.5},
            "text": {"input_tokens": "12"},
            "parts_over_whole": {"input_tokens": 10, "cache_read_tokens": 20},
        }.items():
            bad[name] = await daemon.request(
                "runtime/price", {"model": "openai/gpt-4o", "usage": usage}
            )
        empty = await daemon.request("runtime/price", {"model": [], "usage": USAGE})
        no_usage = await daemon.request("runtime/price", {"model": "openai/gpt-4o"})
        unknown = await daemon.request("runtime/price", {"model": "nope/x", "usage": USAGE})
        after = await daemon.request("runtime/price", {"model": "openai/gpt-4o", "usage": USAGE})
    gpt, echo = listed["result"]["prices"]
    assert (gpt["provider"], gpt["model"], gpt["cost"]["source"]) == ("openai", "gpt-4o", "catalog")
    # gpt-4o: $2.50/M uncached input, $1.25/M cached input, $10/M output
    assert gpt["cost"]["total"] == "0.028" and gpt["warnings"] == []
    assert echo["cost"] is None and echo["warnings"][0]["code"] == "pricing.missing"
    assert single["result"]["prices"] == [gpt]
    paths = {name: r["error"]["data"]["path"] for name, r in bad.items()}
    assert {r["error"]["code"] for r in bad.values()} == {-32602}
    assert paths == {
        "negative": "params.usage.output_tokens",
        "fraction": "params.usage.input_tokens",
        "text": "params.usage.input_tokens",
        "parts_over_whole": "params.usage.cache_read_tokens",
    }
    assert "must include them" in bad["parts_over_whole"]["error"]["message"]
    assert empty["error"]["data"]["path"] == "params.model"
    assert no_usage["error"]["code"] == -32602
    assert unknown["error"]["code"] == -32002
    assert after["result"] == single["result"]  # the daemon kept serving


CONFIG = """
[providers.anthropic]
base_url = "{url}"
max_retries = 0
"""
ANTHROPIC_HEADERS = {
    "date": DATE,
    "request-id": "req_loop",
    "anthropic-ratelimit-requests-limit": "50",
    "anthropic-ratelimit-requests-remaining": "49",
    "anthropic-ratelimit-requests-reset": "2025-05-26T05:00:05Z",
    "anthropic-ratelimit-output-tokens-limit": "8000",
    "anthropic-ratelimit-output-tokens-remaining": "7000",
    "anthropic-ratelimit-output-tokens-reset": "2025-05-26T05:01:04Z",
}
RATE_LIMITED = {
    "type": "error",
    "error": {"type": "rate_limit_error", "message": "Number of requests has exceeded your limit"},
}


@pytest.mark.parametrize("method", ["runtime/run", "runtime/countTokens"])
async def test_loopback_anthropic_answers_and_429s_carry_the_rate_limit(
    tmp_path: Path, method: str
) -> None:
    ok = {"input_tokens": 42} if method == "runtime/countTokens" else ANTHROPIC_OK
    limited_headers = {
        "date": DATE,
        "retry-after": "100",  # beyond what the runtime waits: the error is reported
        "anthropic-ratelimit-requests-limit": "50",
        "anthropic-ratelimit-requests-remaining": "0",
        "anthropic-ratelimit-requests-reset": "2025-05-26T05:00:24Z",
    }
    script = {
        "claude-ok": [reply(200, ok, ANTHROPIC_HEADERS)],
        "claude-limited": [reply(429, RATE_LIMITED, limited_headers)],
    }
    async with loopback_provider(script) as provider:
        env = isolated_env(tmp_path, ANTHROPIC_API_KEY="sk-ant-loopback-key")
        config = CONFIG.format(url=provider.url)
        async with spawn_daemon(tmp_path, config=config, env=env) as daemon:
            await daemon.request("initialize")
            good = await daemon.request(method, run_params("hi", model="anthropic/claude-ok"))
            bad = await daemon.request(method, run_params("hi", model="anthropic/claude-limited"))
    path = provider.attempts("claude-ok")[0].path
    assert path == (
        "/v1/messages/count_tokens" if method == "runtime/countTokens" else "/v1/messages"
    )
    result = good["result"]
    if method == "runtime/countTokens":
        assert (result["input_tokens"], result["exact"], result["source"]) == (
            42,
            False,
            "provider",
        )
        assert "max_tokens" not in provider.attempts("claude-ok")[0].json
    else:
        assert result["rate_limit"] == {
            "requests": {"limit": 50, "remaining": 49, "reset_seconds": 1.0},
            "tokens": None,
            "input_tokens": None,
            "output_tokens": {"limit": 8000, "remaining": 7000, "reset_seconds": 60.0},
        }
    error = bad["error"]
    assert (error["code"], error["data"]["kind"], error["data"]["retry_after"]) == (
        -32013,
        "rate_limited",
        100.0,
    )
    assert error["data"]["rate_limit"] == {
        "requests": {"limit": 50, "remaining": 0, "reset_seconds": 20.0},
        "tokens": None,
        "input_tokens": None,
        "output_tokens": None,
    }
