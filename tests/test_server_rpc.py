"""The JSON-RPC dispatcher in-process: every error path, ids, batches, cancellation, lifecycle."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import msgspec
import pytest

from provider_runtime.core.errors import ConfigError, ErrorKind, ProviderError, RoutingError
from provider_runtime.server.errors import decode_params
from provider_runtime.server.rpc import Dispatcher


class Point(msgspec.Struct, forbid_unknown_fields=True):
    x: int
    tags: list[str] = []


async def echo(raw: msgspec.Raw | None) -> Any:
    return decode_params(raw, dict[str, Any])


async def point(raw: msgspec.Raw | None) -> Any:
    return decode_params(raw, Point, required=True)


async def slow(raw: msgspec.Raw | None) -> Any:
    await asyncio.sleep(30)


async def rate_limited(raw: msgspec.Raw | None) -> Any:
    raise ProviderError(
        ErrorKind.RATE_LIMITED, "slow down", provider="p", status=429, retry_after=2.5
    )


async def bad_config(raw: msgspec.Raw | None) -> Any:
    raise ConfigError("bad value", path="/etc/x.toml", key="providers.x.timeout")


async def unroutable(raw: msgspec.Raw | None) -> Any:
    raise RoutingError("ambiguous", candidates=["a", "b"])


async def crash(raw: msgspec.Raw | None) -> Any:
    raise KeyError("secret-detail")


async def unencodable(raw: msgspec.Raw | None) -> Any:
    return {"x": object()}


HANDLERS = {
    "echo": echo,
    "point": point,
    "slow": slow,
    "rate": rate_limited,
    "config": bad_config,
    "route": unroutable,
    "crash": crash,
    "odd": unencodable,
    "shutdown": echo,
}


class Harness:
    def __init__(self) -> None:
        self.sent: list[Any] = []
        self.rpc = Dispatcher(HANDLERS, lambda body: self.sent.append(json.loads(body)))

    def feed(self, message: Any) -> None:
        self.rpc.feed(message if isinstance(message, bytes) else json.dumps(message).encode())

    async def settle(self) -> list[Any]:
        await asyncio.wait_for(self.rpc.drain(), 5)
        sent, self.sent = self.sent, []
        return sent


def req(method: str, msg_id: Any = 1, params: Any = None) -> dict[str, Any]:
    message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        message["params"] = params
    return message


def error_of(reply: dict[str, Any]) -> tuple[Any, int]:
    return reply["id"], reply["error"]["code"]


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b'{"jsonrpc": "2.0", "id": 1, "method": "echo"',  # truncated
        b'{"jsonrpc":"2.0","id":1,"method":"\xff\xfe"}',  # invalid UTF-8
        b'{"jsonrpc":"2.0","id":1,"method":"echo","params":{"s":"\\ud800"}}',  # lone surrogate
        b"[" * 100_000 + b"]" * 100_000,  # nested too deeply
        b"",
    ],
)
async def test_parse_errors_answer_32700_with_null_id(raw: bytes) -> None:
    h = Harness()
    h.feed(raw)
    h.feed(req("echo", 2, {"a": 1}))
    first, second = await h.settle()
    assert error_of(first) == (None, -32700)
    assert second == {"jsonrpc": "2.0", "id": 2, "result": {"a": 1}}


@pytest.mark.parametrize(
    ("message", "reply_id"),
    [
        (b"42", None),
        (b'"a string"', None),
        ({"jsonrpc": "1.0", "id": 7, "method": "echo"}, 7),
        ({"id": 7, "method": "echo"}, 7),
        ({"jsonrpc": "2.0", "id": 7, "method": 5}, 7),
        ({"jsonrpc": "2.0", "id": 7}, 7),
        ({"jsonrpc": "2.0", "id": 1.5, "method": "echo"}, None),
        ({"jsonrpc": "2.0", "id": True, "method": "echo"}, None),
        ({"jsonrpc": "2.0", "id": {"a": 1}, "method": "echo"}, None),
        ([], None),
    ],
)
async def test_invalid_requests_answer_32600(message: Any, reply_id: Any) -> None:
    h = Harness()
    h.feed(message)
    (reply,) = await h.settle()
    assert error_of(reply) == (reply_id, -32600)


async def test_unknown_method_is_32601_but_unknown_notification_is_ignored() -> None:
    h = Harness()
    h.feed(req("nope", "abc"))
    h.feed({"jsonrpc": "2.0", "method": "nope"})
    h.feed({"jsonrpc": "2.0", "method": "echo"})  # a request method sent without id: not run
    (reply,) = await h.settle()
    assert error_of(reply) == ("abc", -32601) and "`nope`" in reply["error"]["message"]


async def test_responses_from_the_client_are_ignored() -> None:
    h = Harness()
    h.feed({"jsonrpc": "2.0", "id": 3, "result": {"ok": True}})
    h.feed({"jsonrpc": "2.0", "id": 4, "error": {"code": 1, "message": "x"}})
    assert await h.settle() == []


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({"x": "one"}, "params.x"),
        ({"x": 1, "tags": ["a", 2]}, "params.tags[1]"),
        ({"x": 1, "extra": True}, "params"),
        ([1, 2], "params"),
        ("text", "params"),
    ],
)
async def test_invalid_params_name_the_json_path(params: Any, path: str) -> None:
    h = Harness()
    h.feed(req("point", 9, params))
    (reply,) = await h.settle()
    assert error_of(reply) == (9, -32602)
    assert reply["error"]["data"] == {"path": path}
    assert f"`{path}`" in reply["error"]["message"]


async def test_missing_null_and_empty_params_are_all_accepted_where_optional() -> None:
    h = Harness()
    h.feed({"jsonrpc": "2.0", "id": 1, "method": "echo"})
    h.feed({"jsonrpc": "2.0", "id": 2, "method": "echo", "params": None})
    h.feed({"jsonrpc": "2.0", "id": 3, "method": "echo", "params": {}})
    h.feed({"jsonrpc": "2.0", "id": 4, "method": "point"})
    replies = sorted(await h.settle(), key=lambda r: r["id"])
    assert [r.get("result") for r in replies[:3]] == [{}, {}, {}]
    assert error_of(replies[3]) == (4, -32602)


async def test_string_integer_and_null_ids_are_echoed_exactly() -> None:
    h = Harness()
    for msg_id in ("x-1", 0, -5, 2**53 + 1, None, "1"):
        h.feed(req("echo", msg_id, {"id": msg_id}))
    replies = await h.settle()
    assert sorted(json.dumps(r["id"]) for r in replies) == sorted(
        json.dumps(i) for i in ("x-1", 0, -5, 2**53 + 1, None, "1")
    )
    assert all(r["result"] == {"id": r["id"]} for r in replies)


async def test_batches_answer_each_request_in_one_array() -> None:
    h = Harness()
    h.feed(
        [
            req("echo", 1, {"n": 1}),
            {"jsonrpc": "2.0", "method": "echo"},  # notification: no entry
            req("nope", 2),
            5,
            req("point", 3, {"x": "bad"}),
        ]
    )
    (batch,) = await h.settle()
    assert isinstance(batch, list) and len(batch) == 4
    by_id = {json.dumps(r["id"]): r for r in batch}
    assert by_id["1"]["result"] == {"n": 1}
    assert by_id["2"]["error"]["code"] == -32601
    assert by_id["null"]["error"]["code"] == -32600
    assert by_id["3"]["error"]["code"] == -32602


async def test_batch_of_notifications_gets_no_reply() -> None:
    h = Harness()
    h.feed([{"jsonrpc": "2.0", "method": "initialized"}])
    assert await h.settle() == []


async def test_runtime_errors_carry_code_and_a_uniform_data_object() -> None:
    h = Harness()
    h.feed(req("rate", 1))
    h.feed(req("config", 2))
    h.feed(req("route", 3))
    replies = {r["id"]: r["error"] for r in await h.settle()}
    assert replies[1]["code"] == -32013
    assert replies[1]["data"] | {} == {
        "kind": "rate_limited",
        "retryable": True,
        "provider": "p",
        "status": 429,
        "retry_after": 2.5,
        "rate_limit": None,
        "provider_code": None,
        "request_id": None,
    }
    assert "slow down" in replies[1]["message"]
    assert replies[2]["code"] == -32001 and replies[2]["data"]["kind"] == "config"
    assert {"provider", "status", "retry_after", "retryable"} <= set(replies[2]["data"])
    assert replies[3]["code"] == -32002 and replies[3]["data"]["candidates"] == ["a", "b"]


async def test_unexpected_exceptions_are_32603_without_internals(
    caplog: pytest.LogCaptureFixture,
) -> None:
    h = Harness()
    h.feed(req("crash", 1))
    h.feed(req("odd", 2))
    replies = {r["id"]: r["error"] for r in await h.settle()}
    assert replies[1]["code"] == -32603 and "secret-detail" not in replies[1]["message"]
    assert replies[1]["data"]["kind"] == "internal"
    assert replies[2]["code"] == -32603
    assert "KeyError" in caplog.text  # the traceback goes to the log, not the client


async def test_cancel_request_in_flight_answers_32800() -> None:
    h = Harness()
    h.feed(req("slow", "s1"))
    await asyncio.sleep(0.01)
    assert h.rpc.in_flight == 1
    h.feed({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": "s1"}})
    (reply,) = await h.settle()
    assert error_of(reply) == ("s1", -32800)
    assert reply["error"]["data"]["kind"] == "cancelled"
    assert h.rpc.in_flight == 0


async def test_cancel_before_the_request_ever_ran_still_answers_once() -> None:
    h = Harness()
    h.feed(req("slow", 5))
    h.feed({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 5}})
    (reply,) = await h.settle()
    assert error_of(reply) == (5, -32800)
    h.feed(req("echo", 5, {"again": True}))  # the id is free again
    assert (await h.settle())[0]["result"] == {"again": True}


async def test_cancel_of_unknown_or_malformed_ids_is_ignored() -> None:
    h = Harness()
    h.feed({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": 99}})
    h.feed({"jsonrpc": "2.0", "method": "$/cancelRequest", "params": [1]})
    h.feed({"jsonrpc": "2.0", "method": "$/cancelRequest"})
    assert await h.settle() == []


async def test_duplicate_id_in_flight_is_refused() -> None:
    h = Harness()
    h.feed(req("slow", 1))
    h.feed(req("echo", 1))
    await asyncio.sleep(0.01)
    assert [error_of(r) for r in h.sent] == [(1, -32600)]
    h.rpc.cancel_all()
    await h.settle()


async def test_shutdown_refuses_later_requests_and_exit_code_follows_it() -> None:
    h = Harness()
    h.feed(req("shutdown", 1))
    h.feed(req("echo", 2))
    replies = {r["id"]: r for r in await h.settle()}
    assert "result" in replies[1] and error_of(replies[2]) == (2, -32600)
    h.feed({"jsonrpc": "2.0", "method": "exit"})
    assert h.rpc.exited.is_set() and h.rpc.exit_code == 0

    early = Harness()
    early.feed({"jsonrpc": "2.0", "method": "exit"})
    assert early.rpc.exit_code == 1


async def test_notify_sends_a_notification() -> None:
    h = Harness()
    h.rpc.notify("window/logMessage", {"type": 2, "message": "m"})
    assert h.sent == [
        {"jsonrpc": "2.0", "method": "window/logMessage", "params": {"type": 2, "message": "m"}}
    ]
