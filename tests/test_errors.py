"""The error hierarchy and its JSON-RPC face (codes, error.data), nothing secret in text."""

from __future__ import annotations

import builtins

import httpx
import msgspec
import pytest

from provider_runtime.core import errors
from provider_runtime.core.errors import (
    ConfigError,
    ErrorKind,
    ProviderError,
    ProviderRuntimeError,
    RoutingError,
)
from provider_runtime.server.errors import ERROR_CODES, error_data
from provider_runtime.transport.http import map_httpx_error

PROVIDER_KINDS_REQUIRED = {
    "authentication",
    "permission",
    "rate_limited",
    "invalid_request",
    "context_length_exceeded",
    "not_found",
    "content_filter",
    "server",
    "overloaded",
    "timeout",
    "transport",
    "protocol",
}


def test_every_kind_has_a_unique_code() -> None:
    assert set(ERROR_CODES) == set(ErrorKind)
    codes = list(ERROR_CODES.values())
    assert len(codes) == len(set(codes))


def test_codes_stay_out_of_the_reserved_json_rpc_range() -> None:
    # -32768..-32000 is reserved by JSON-RPC except the -32000..-32099 server-error range;
    # the two exceptions are deliberate: LSP's RequestCancelled and JSON-RPC's InternalError.
    for kind, code in ERROR_CODES.items():
        if kind is ErrorKind.CANCELLED:
            assert code == -32800
        elif kind is ErrorKind.INTERNAL:
            assert code == -32603
        else:
            assert -32099 <= code <= -32000, kind


def test_the_issue_kinds_exist() -> None:
    assert {k.value for k in ErrorKind} >= PROVIDER_KINDS_REQUIRED


def test_hierarchy_and_no_shadowed_builtin() -> None:
    for cls in (ConfigError, RoutingError, ProviderError):
        assert issubclass(cls, ProviderRuntimeError)
    assert issubclass(ProviderRuntimeError, Exception)
    assert not hasattr(errors, "RuntimeError")
    assert builtins.RuntimeError is not ProviderRuntimeError


def test_config_error_names_file_and_key() -> None:
    err = ConfigError("expected a float", path="/etc/pr.toml", key="providers.openai.timeout")
    assert str(err) == "/etc/pr.toml, key `providers.openai.timeout`: expected a float"
    assert (err.path, err.key, err.kind, ERROR_CODES[err.kind]) == (
        "/etc/pr.toml",
        "providers.openai.timeout",
        ErrorKind.CONFIG,
        -32001,
    )
    assert error_data(err) == {
        "kind": "config",
        "retryable": False,
        "provider": None,
        "status": None,
        "retry_after": None,
        "rate_limit": None,
        "path": "/etc/pr.toml",
        "key": "providers.openai.timeout",
    }
    assert str(ConfigError("plain")) == "plain"


def test_routing_error_data_lists_candidates() -> None:
    err = RoutingError(
        "model `gpt-4o` is offered by several providers", candidates=["openai", "openrouter"]
    )
    assert ERROR_CODES[err.kind] == -32002
    assert error_data(err) == {
        "kind": "routing",
        "retryable": False,
        "provider": None,
        "status": None,
        "retry_after": None,
        "rate_limit": None,
        "candidates": ["openai", "openrouter"],
    }
    assert error_data(RoutingError("x"))["candidates"] == []


def test_provider_error_data_shape() -> None:
    err = ProviderError(
        ErrorKind.RATE_LIMITED,
        "slow down",
        provider="openai",
        status=429,
        provider_code="rate_limit_exceeded",
        request_id="req_123",
        retry_after=2.5,
    )
    assert ERROR_CODES[err.kind] == -32013
    assert error_data(err) == {
        "kind": "rate_limited",
        "retryable": True,
        "provider": "openai",
        "status": 429,
        "provider_code": "rate_limit_exceeded",
        "request_id": "req_123",
        "retry_after": 2.5,
        "rate_limit": None,
    }
    msgspec.json.encode(error_data(err))  # JSON-ready as is
    assert str(err) == "openai: rate_limited (HTTP 429): slow down"


@pytest.mark.parametrize("kind", list(ErrorKind))
def test_retryable_default_per_kind(kind: ErrorKind) -> None:
    expected = kind.value in {"rate_limited", "server", "overloaded", "timeout", "transport"}
    assert ProviderError(kind, "m").retryable is expected
    assert ProviderError(kind, "m", retryable=not expected).retryable is (not expected)


def test_no_secret_in_text_repr_or_data() -> None:
    url = "https://user:pw-SECRET@api.example.com/v1/chat?key=SECRET-QUERY"
    err = map_httpx_error(httpx.ConnectError("failed: SECRET-INNER"), provider="openai", url=url)
    for text in (str(err), repr(err), err.message, str(error_data(err))):
        assert "SECRET" not in text
    assert "https://api.example.com/v1/chat" in str(err)
    assert "api.example.com" in repr(err)
