"""Bedrock end to end: the spawned daemon calls a loopback Converse mock with a Bedrock API key
(bearer) and with SigV4 from AWS credentials in the environment; no credential reaches any
output, even at the debug and trace log levels and when the server quotes the request back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.daemon_client import isolated_env, run_params, spawn_daemon
from tests.loopback_provider import Exchange, echo_headers, loopback_provider, reply

# Fake credentials in AWS's documented example format; nothing real.
ACCESS_KEY = "AKIDEXAMPLE7Q2W3E4R5"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = "FQoGZXIvYXdzEXAMPLEsessionTOKENvalue0123456789"
BEARER = "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlMDEyMzQ1Njc4OQ=="
SECRETS = (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, BEARER)

MODEL = "amazon.nova-pro-v1:0"
FAILING = "meta.llama3-1-70b-instruct-v1:0"
# https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
CONVERSE_OK = {
    "output": {"message": {"role": "assistant", "content": [{"text": "loopback says hi"}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 9, "outputTokens": 3, "totalTokens": 12},
    "metrics": {"latencyMs": 42},
}
OK_PATH = "/model/amazon.nova-pro-v1%3A0/converse"
FAILING_PATH = "/model/meta.llama3-1-70b-instruct-v1%3A0/converse"


def _config(url: str) -> str:
    return f'[providers.bedrock]\nbase_url = "{url}"\nregion = "us-west-2"\nmax_retries = 0\n'


def _assert_no_secret(data: bytes | bytearray | str, where: str) -> None:
    raw = data.encode() if isinstance(data, str) else bytes(data)
    leaked = [s for s in SECRETS if s.encode() in raw]
    assert not leaked, f"{where} leaks {leaked}"


async def _drive(tmp_path: Path, env: dict[str, str], level: str) -> tuple[Any, list[Exchange]]:
    script = {
        OK_PATH: [reply(200, CONVERSE_OK, headers={"x-amzn-RequestId": "rid-42"})],
        FAILING_PATH: [echo_headers(403)],  # a careless proxy quoting every header back
    }
    async with loopback_provider(script) as server:
        async with spawn_daemon(
            tmp_path, "--log-level", level, config=_config(server.url), env=env
        ) as d:
            await d.request("initialize")
            ok = await d.request("runtime/run", run_params("hi", model=f"bedrock/{MODEL}"))
            failed = await d.request("runtime/run", run_params("hi", model=f"bedrock/{FAILING}"))
        exchanges = list(server.exchanges)
    _assert_no_secret(d.stdout_raw, "stdout (replies and errors)")
    _assert_no_secret(d.stderr, f"stderr at --log-level {level}")
    return (ok, failed), exchanges


@pytest.mark.parametrize("level", ["debug", "trace"])
async def test_sigv4_end_to_end_with_no_credential_in_any_output(
    tmp_path: Path, level: str
) -> None:
    env = isolated_env(
        tmp_path,
        AWS_ACCESS_KEY_ID=ACCESS_KEY,
        AWS_SECRET_ACCESS_KEY=SECRET_KEY,
        AWS_SESSION_TOKEN=SESSION_TOKEN,
        AWS_EC2_METADATA_DISABLED="true",
    )
    (ok, failed), exchanges = await _drive(tmp_path, env, level)
    result = ok["result"]
    assert result["output"]["content"] == [
        {"type": "text", "text": "loopback says hi", "signature": None}
    ]
    assert (result["model"], result["request_id"]) == (MODEL, "rid-42")
    assert result["usage"]["input_tokens"] == 9
    sent = next(ex for ex in exchanges if ex.path == OK_PATH)
    assert (
        sent.headers["authorization"].startswith(f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")
        and "/us-west-2/bedrock/aws4_request" in sent.headers["authorization"]
    )
    assert sent.headers["x-amz-security-token"] == SESSION_TOKEN
    assert failed["error"]["data"]["kind"] == "authentication"  # a 403 with no error type


@pytest.mark.parametrize("level", ["debug", "trace"])
async def test_bearer_end_to_end_with_no_credential_in_any_output(
    tmp_path: Path, level: str
) -> None:
    env = isolated_env(tmp_path, AWS_BEARER_TOKEN_BEDROCK=BEARER)
    (ok, failed), exchanges = await _drive(tmp_path, env, level)
    assert ok["result"]["output"]["content"] == [
        {"type": "text", "text": "loopback says hi", "signature": None}
    ]
    sent = next(ex for ex in exchanges if ex.path == OK_PATH)
    assert sent.headers["authorization"] == f"Bearer {BEARER}"
    assert "x-amz-date" not in sent.headers
    assert failed["error"]["data"]["kind"] == "authentication"
