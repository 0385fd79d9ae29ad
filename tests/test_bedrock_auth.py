"""Bedrock authentication: SigV4 by botocore over the request as sent, a Bedrock API key as a
bearer token, and what happens without botocore or credentials."""

from __future__ import annotations

import datetime
import json
import sys

import httpx
import pytest
import respx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from provider_runtime.core.errors import ConfigError
from provider_runtime.core.types import (
    AdapterContext,
    Message,
    ModelRef,
    ProviderRequest,
    Secret,
)
from provider_runtime.providers.bedrock import BedrockAdapter
from provider_runtime.providers.bedrock.sigv4 import SigV4Signer
from provider_runtime.providers.http import PreparedRequest
from provider_runtime.transport.http import HttpTransport

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
URL = "https://bedrock-runtime.eu-west-3.amazonaws.com/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse"
FIXED = datetime.datetime(2026, 12, 6, 8, 30, 15)
# Fake credentials in AWS's documented example format; nothing real.
ACCESS_KEY, SECRET_KEY, TOKEN = (
    "AKIDEXAMPLE",
    "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    "FQoGZXIvYXdzEXAMPLEtoken",
)
OK = {
    "output": {"message": {"role": "assistant", "content": [{"text": "hi"}]}},
    "stopReason": "end_turn",
    "usage": {"inputTokens": 3, "outputTokens": 1, "totalTokens": 4},
    "metrics": {"latencyMs": 10},
}


def _request() -> ProviderRequest:
    return ProviderRequest(
        model=ModelRef(provider="bedrock", id=MODEL), messages=[Message(role="user", content="hi")]
    )


def _context(credential: Secret | None) -> AdapterContext:
    return AdapterContext(model=ModelRef(provider="bedrock", id=MODEL), credential=credential)


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("botocore.auth.get_current_datetime", lambda *a, **k: FIXED)


@respx.mock
async def test_sigv4_signs_the_request_exactly_as_sent(fixed_clock: None) -> None:
    route = respx.post(URL).mock(
        return_value=httpx.Response(200, json=OK, headers={"x-amzn-RequestId": "rid-1"})
    )
    adapter = BedrockAdapter(
        HttpTransport(client=httpx.AsyncClient()),
        region="eu-west-3",
        credentials=Credentials(ACCESS_KEY, SECRET_KEY, TOKEN),
    )
    response = await adapter.run(_request(), _context(None))
    assert response.request_id == "rid-1"
    sent = route.calls.last.request
    assert sent.url.raw_path == b"/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse"
    assert sent.headers["x-amz-date"] == "20261206T083015Z"
    assert sent.headers["x-amz-security-token"] == TOKEN
    authorization = sent.headers["authorization"]
    assert authorization.startswith(
        f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/20261206/eu-west-3/bedrock/aws4_request, "
    )
    signed = authorization.split("SignedHeaders=", 1)[1].split(",", 1)[0].split(";")
    assert {"host", "content-type", "x-amz-date", "x-amz-security-token"} <= set(signed)

    # botocore's own signer, on its own, over the URL, body and signed headers that went out.
    expected = AWSRequest(
        method="POST",
        url=str(sent.url),
        headers={name: sent.headers[name] for name in signed if name not in ("x-amz-date",)},
        data=sent.content,
    )
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY, TOKEN), "bedrock", "eu-west-3").add_auth(expected)
    assert authorization == expected.headers["Authorization"]


@respx.mock
async def test_sigv4_signature_changes_with_the_body(fixed_clock: None) -> None:
    """A signature over anything but the bytes sent would not notice a different body."""
    signer = SigV4Signer(
        provider="bedrock", region="us-east-1", credentials=Credentials(ACCESS_KEY, SECRET_KEY)
    )
    base = {"method": "POST", "url": URL, "headers": {"content-type": "application/json"}}
    one = await signer(PreparedRequest(**base, body=b'{"messages":[]}'))
    two = await signer(PreparedRequest(**base, body=b'{"messages":[ ]}'))
    assert one["Authorization"] != two["Authorization"]
    assert "X-Amz-Security-Token" not in one  # no session token, none sent


@respx.mock
async def test_a_bedrock_api_key_is_a_bearer_token_and_nothing_is_signed() -> None:
    route = respx.post(URL).mock(return_value=httpx.Response(200, json=OK))
    adapter = BedrockAdapter(HttpTransport(client=httpx.AsyncClient()), region="eu-west-3")
    await adapter.run(_request(), _context(Secret("bedrock-api-key-abc123")))
    sent = route.calls.last.request
    assert sent.headers["authorization"] == "Bearer bedrock-api-key-abc123"
    assert "x-amz-date" not in sent.headers
    assert json.loads(sent.content)["messages"] == [{"role": "user", "content": [{"text": "hi"}]}]


async def test_without_botocore_a_sigv4_call_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("botocore", "botocore.auth", "botocore.awsrequest", "botocore.session"):
        monkeypatch.setitem(sys.modules, name, None)  # `import` raises ImportError
    adapter = BedrockAdapter(HttpTransport(client=httpx.AsyncClient()), region="eu-west-3")
    with pytest.raises(ConfigError, match=r"pip install 'provider-runtime\[bedrock\]'"):
        await adapter.run(_request(), _context(None))


async def test_no_aws_credentials_is_a_config_error_naming_both_ways(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", f"{tmp_path}/none")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", f"{tmp_path}/none")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    adapter = BedrockAdapter(HttpTransport(client=httpx.AsyncClient()), region="eu-west-3")
    with pytest.raises(ConfigError, match="AWS_BEARER_TOKEN_BEDROCK") as caught:
        await adapter.run(_request(), _context(None))
    assert "AWS_ACCESS_KEY_ID" in str(caught.value)


async def test_without_region_or_base_url_a_call_says_what_to_set() -> None:
    adapter = BedrockAdapter(HttpTransport(client=httpx.AsyncClient()))
    with pytest.raises(ConfigError, match=r"providers\.bedrock\.region or AWS_REGION"):
        await adapter.run(_request(), _context(Secret("k")))
