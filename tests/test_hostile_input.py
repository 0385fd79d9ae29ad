"""Hostile and broken input against the spawned daemon, in both framings.

One daemon per framing serves the whole module. Every case sends its bytes, then a normal
request (the "sync"); the replies before the sync's must be the expected errors, and the sync
must be answered correctly: whatever came before, the daemon goes on serving.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from provider_runtime.server.framing import FrameError, FrameReader
from tests.daemon_client import Daemon, frame, run_params, spawn_daemon

pytestmark = pytest.mark.asyncio(loop_scope="module")

_sync_ids = itertools.count()
BIG_MODEL = "[[models]]\nprovider = 'echo'\nid = 'big'\n"  # no context window: any size goes


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["lines", "content-length"])
async def daemon(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Daemon]:
    tmp = tmp_path_factory.mktemp(f"hostile-{request.param}")
    async with spawn_daemon(tmp, config=BIG_MODEL, framing=request.param) as d:
        await d.send({"jsonrpc": "2.0", "id": "hello", "method": "initialize"})
        assert (await d.reply())["id"] == "hello"
        yield d
        assert d.proc.returncode is None, d.stderr.decode()[-2000:]


def request(msg_id: Any, text: str = "ping") -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "method": "runtime/run", "params": run_params(text)}


async def exchange(d: Daemon, *payloads: bytes | Any, later: tuple[Any, ...] = ()) -> list[Any]:
    """Send each payload (raw bytes as they are, anything else framed), then a sync request;
    the other replies received until the sync's (checked) and as many replies to each id as it
    appears in ``later``."""
    for payload in payloads:
        await d.send_raw(payload) if isinstance(payload, bytes) else await d.send(payload)
    sync = f"sync-{next(_sync_ids)}"
    await d.send(request(sync, sync))
    others: list[Any] = []
    synced = False
    while not synced or any([_id_of(m) for m in others].count(i) < later.count(i) for i in later):
        message = await d.reply(within=20)
        if _id_of(message) == sync:
            assert message["result"]["output"]["content"][0]["text"] == f"echo: {sync}", message
            synced = True
        else:
            others.append(message)
    return others


def _id_of(message: Any) -> Any:
    return message.get("id", "-") if isinstance(message, dict) else "-"


def framed(body: bytes, d: Daemon) -> bytes:
    return frame(body, d.framing)


def codes(replies: list[Any]) -> list[tuple[Any, int]]:
    return [(r["id"], r["error"]["code"]) for r in replies]


# ----------------------------------------------------------------------- JSON and JSON-RPC


DEEP = b"[" * 100_000 + b"]" * 100_000

BAD_MESSAGES: dict[str, tuple[bytes, list[tuple[Any, int]]]] = {
    "invalid JSON": (b"{not json at all", [(None, -32700)]),
    "truncated JSON": (
        b'{"jsonrpc": "2.0", "id": 1, "method": "runtime/run", "params": {"mo',
        [(None, -32700)],
    ),
    "trailing garbage": (
        b'{"jsonrpc": "2.0", "id": 2, "method": "initialize"} xyz',
        [(None, -32700)],
    ),
    "NaN literal": (
        b'{"jsonrpc": "2.0", "id": 3, "method": "initialize", "params": NaN}',
        [(None, -32700)],
    ),
    "a bare number": (b"42", [(None, -32600)]),
    "a bare string": (b'"runtime/run"', [(None, -32600)]),
    "null": (b"null", [(None, -32600)]),
    "jsonrpc 1.0": (b'{"jsonrpc": "1.0", "id": 4, "method": "initialize"}', [(4, -32600)]),
    "jsonrpc missing": (b'{"id": 5, "method": "initialize"}', [(5, -32600)]),
    "jsonrpc as a number": (b'{"jsonrpc": 2.0, "id": 6, "method": "initialize"}', [(6, -32600)]),
    "method not a string": (b'{"jsonrpc": "2.0", "id": 7, "method": ["x"]}', [(7, -32600)]),
    "fractional id": (b'{"jsonrpc": "2.0", "id": 1.5, "method": "initialize"}', [(None, -32600)]),
    "boolean id": (b'{"jsonrpc": "2.0", "id": true, "method": "initialize"}', [(None, -32600)]),
    "object id": (b'{"jsonrpc": "2.0", "id": {"n": 1}, "method": "initialize"}', [(None, -32600)]),
    "unknown method": (b'{"jsonrpc": "2.0", "id": 8, "method": "runtime/explode"}', [(8, -32601)]),
    "rpc-internal method name": (
        b'{"jsonrpc": "2.0", "id": 9, "method": "rpc.discover"}',
        [(9, -32601)],
    ),
    "invalid UTF-8 in the method": (
        b'{"jsonrpc": "2.0", "id": 10, "method": "\xff\xfe"}',
        [(None, -32700)],
    ),
    "invalid UTF-8 in params": (
        b'{"jsonrpc": "2.0", "id": 11, "method": "runtime/run", "params": {"model": "echo/echo-1",'
        b' "messages": [{"role": "user", "content": "caf\xe9 \xc3"}]}}',
        [(11, -32602)],
    ),
    "lone surrogate": (
        b'{"jsonrpc": "2.0", "id": 12, "method": "runtime/run", "params": {"model": "echo/echo-1",'
        b' "messages": [{"role": "user", "content": "\\ud800 alone"}]}}',
        [(None, -32700)],
    ),
    "nested too deeply": (DEEP, [(None, -32700)]),
    "nested too deeply in params": (
        b'{"jsonrpc": "2.0", "id": 13, "method": "runtime/run", "params": ' + DEEP + b"}",
        [(None, -32700)],
    ),
    "a request method as a notification": (
        json.dumps({"jsonrpc": "2.0", "method": "runtime/run", "params": run_params("x")}).encode(),
        [],
    ),
    "unknown notification": (b'{"jsonrpc": "2.0", "method": "x/y", "params": [1, 2]}', []),
    "a response from the client": (b'{"jsonrpc": "2.0", "id": 14, "result": {"ok": true}}', []),
    "cancel of nothing": (
        b'{"jsonrpc": "2.0", "method": "$/cancelRequest", "params": {"id": "none"}}',
        [],
    ),
    "cancel with bad params": (
        b'{"jsonrpc": "2.0", "method": "$/cancelRequest", "params": "x"}',
        [],
    ),
    "empty batch": (b"[]", [(None, -32600)]),
    "batch of notifications": (b'[{"jsonrpc": "2.0", "method": "initialized"}]', []),
}


@pytest.mark.parametrize("case", list(BAD_MESSAGES))
async def test_bad_message_is_answered_and_the_daemon_goes_on(daemon: Daemon, case: str) -> None:
    body, expected = BAD_MESSAGES[case]
    replies = await exchange(daemon, framed(body, daemon))
    assert codes(replies) == expected


async def test_batches_answer_per_item(daemon: Daemon) -> None:
    batch = [
        request("b1", "one"),
        {"jsonrpc": "2.0", "method": "initialized"},
        5,
        [request("nested")],
        {"jsonrpc": "2.0", "id": "b2", "method": "nope"},
        {"jsonrpc": "2.0", "id": "b3", "method": "runtime/run", "params": {"model": 1}},
        request("b4", "/error rate_limited slow"),
    ]
    (answer,) = await exchange(daemon, batch)
    assert isinstance(answer, list) and len(answer) == 6
    by_id: dict[Any, list[dict[str, Any]]] = {}
    for item in answer:
        by_id.setdefault(item["id"], []).append(item)
    assert by_id["b1"][0]["result"]["output"]["content"][0]["text"] == "echo: one"
    assert [r["error"]["code"] for r in by_id[None]] == [-32600, -32600]
    assert by_id["b2"][0]["error"]["code"] == -32601
    assert by_id["b3"][0]["error"]["data"]["path"] == "params.model"
    assert by_id["b4"][0]["error"]["code"] == -32013
    assert "nested" not in json.dumps(answer)  # the inner batch was refused, not run


async def test_duplicate_id_in_flight_is_refused_and_the_first_completes(daemon: Daemon) -> None:
    replies = await exchange(
        daemon, request("dup", "/sleep 0.3 first"), request("dup", "second"), later=("dup", "dup")
    )
    assert codes(replies[:1]) == [("dup", -32600)]
    assert replies[1]["result"]["output"]["content"][0]["text"] == "echo: first"
    again = await exchange(daemon, request("dup", "third"))  # the id is free again
    assert again[0]["result"]["output"]["content"][0]["text"] == "echo: third"


async def test_ids_are_echoed_exactly(daemon: Daemon) -> None:
    ids = [0, -1, 2**62, "", "1", "é ✓ 😀", "x" * 1000, None]
    replies = await exchange(daemon, *[request(i, "id check") for i in ids])
    assert sorted(json.dumps(r["id"]) for r in replies) == sorted(json.dumps(i) for i in ids)
    assert all("result" in r for r in replies)


async def test_odd_but_valid_strings_pass_through(daemon: Daemon) -> None:
    text = 'nul\u0000 bell\u0007 bidi\u202e pair 😀 bom\ufeff escapes \\ " / \t'
    (reply,) = await exchange(daemon, request("odd", text))
    assert reply["result"]["output"]["content"][0]["text"] == f"echo: {text}"


async def test_deep_but_legal_nesting_inside_a_schema_is_served(daemon: Daemon) -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(200):
        schema = {"type": "object", "properties": {"a": schema}}
    params = run_params(
        "deep", response_format={"type": "json_schema", "name": "d", "schema": schema}
    )
    (reply,) = await exchange(
        daemon, {"jsonrpc": "2.0", "id": "deep", "method": "runtime/run", "params": params}
    )
    assert reply["result"]["output"]["content"][0]["text"].startswith('{"a":{"a":')


async def test_a_ten_megabyte_request_in_either_framing(daemon: Daemon) -> None:
    text = "0123456789" * 1_000_000
    big = {"jsonrpc": "2.0", "id": "big", "method": "runtime/run"}
    (reply,) = await exchange(daemon, {**big, "params": run_params(text, model="echo/big")})
    assert reply["result"]["usage"]["input_tokens"] == 4 + (len(text) + 3) // 4


# ----------------------------------------------------------------------- params of the wrong type


FULL_REQUEST: dict[str, Any] = {
    "model": "echo/echo-1",
    "messages": [
        {"role": "system", "content": "be brief"},
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look"},
                {"type": "image", "data": "aGk=", "media_type": "image/png"},
            ],
        },
        {
            "role": "assistant",
            "content": [
                {"type": "reasoning", "text": "hm", "signature": "s", "redacted": False},
                {"type": "tool_call", "id": "c1", "name": "t", "arguments": {"a": 1}},
            ],
        },
        {
            "role": "tool",
            "content": [
                {
                    "type": "tool_result",
                    "tool_call_id": "c1",
                    "content": [{"type": "text", "text": "r"}],
                    "is_error": False,
                }
            ],
        },
    ],
    "tools": [{"name": "t", "description": "d", "parameters": {"type": "object"}, "strict": True}],
    "tool_choice": {"type": "tool", "name": "t"},
    "response_format": {"type": "json_schema", "name": "n", "schema": {"type": "object"}},
    "temperature": 0.5,
    "top_p": 0.9,
    "max_output_tokens": 100,
    "stop": ["END"],
    "reasoning": {"effort": "low", "budget_tokens": 10},
    "metadata": {"k": "v"},
}
FREE_FORM = ("parameters", "arguments", "schema")  # any JSON object is valid inside these


def wrong_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return "12"
    if isinstance(value, str):
        return 12345
    if isinstance(value, dict):
        return ["not", "an", "object"]
    return {"not": "a list"}


def mutations(doc: Any, path: str = "params") -> Iterator[tuple[str, Any]]:
    """(path, document) for every node replaced by a value of the wrong type."""
    children = (
        doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    )
    for key, value in children:
        where = f"{path}.{key}" if isinstance(key, str) else f"{path}[{key}]"
        copy = json.loads(json.dumps(doc))
        copy[key] = wrong_value(value)
        yield where, copy
        if key in FREE_FORM:
            continue
        for inner, mutated in mutations(value, where):
            copy = json.loads(json.dumps(doc))
            copy[key] = mutated
            yield inner, copy


@pytest.mark.parametrize(
    ("method", "valid"),
    [
        ("runtime/run", FULL_REQUEST),
        ("runtime/models", {"remote": False, "providers": ["echo"]}),
        ("initialize", {"clientInfo": {"name": "x"}, "warningNotifications": False}),
    ],
)
async def test_params_of_the_wrong_type_at_every_level(
    daemon: Daemon, method: str, valid: dict[str, Any]
) -> None:
    ok = await exchange(
        daemon, {"jsonrpc": "2.0", "id": "valid", "method": method, "params": valid}
    )
    assert "result" in ok[0], ok  # the unmutated params are fine
    cases = [("params", v) for v in (5, "text", True, [valid])] + [
        (path, doc) for path, doc in mutations(valid) if not path.startswith("params.clientInfo.")
    ]
    if method == "runtime/run":  # the cases reach the deepest levels, or this test proves little
        paths = {path for path, _ in cases}
        assert "params.messages[3].content[0].content[0].text" in paths
        assert "params.reasoning.budget_tokens" in paths and len(paths) > 50
    messages = [
        {"jsonrpc": "2.0", "id": n, "method": method, "params": doc}
        for n, (_, doc) in enumerate(cases)
    ]
    replies = {r["id"]: r for r in await exchange(daemon, *messages)}
    wrong = []
    for n, (path, _) in enumerate(cases):
        error = replies[n].get("error", {})
        path = re.sub(r"\.metadata\..*", ".metadata[...]", path)  # how msgspec names dict values
        if error.get("code") != -32602 or error.get("data", {}).get("path") != path:
            wrong.append((path, replies[n]))
    assert not wrong, wrong[:5]


# ----------------------------------------------------------------------- framing


@pytest.mark.parametrize("daemon", ["content-length"], indirect=True)
async def test_content_length_faults_are_answered_and_reading_resumes(daemon: Daemon) -> None:
    body = json.dumps(request("lost")).encode()
    cases = [
        ("missing", b"Content-Type: application/json\r\n\r\n" + body),
        ("non-numeric", b"Content-Length: twelve\r\n\r\n" + body),
        ("negative", b"Content-Length: -12\r\n\r\n" + body),
        ("sixteen digits", b"Content-Length: 1234567890123456\r\n\r\n" + body),
        ("not a header", b"Content-Length 12\r\n\r\n" + body),
        ("endless header", b"X-Junk: " + b"j" * 9000 + b"\r\n"),
        ("body shorter than declared", b"Content-Length: 600\r\n\r\n" + body),
    ]
    for name, payload in cases:
        fillers = [request(f"{name}-{i}", "filler") for i in range(5)]
        replies = await exchange(daemon, payload, *fillers)
        errors = [r for r in replies if "error" in r]
        assert errors and all(r["id"] is None for r in errors), (name, replies)
        assert all(r["error"]["code"] in (-32700, -32600) for r in errors), (name, replies)
        answered = [r["id"] for r in replies if "result" in r]
        assert "lost" not in answered and f"{name}-4" in answered, (name, replies)
        assert len(answered) == len(set(answered))


async def test_frame_reader_resumes_at_the_next_header_after_a_bad_block() -> None:
    def cl(body: bytes) -> bytes:
        return b"Content-Length: %d\r\n\r\n" % len(body) + body

    # 40 bytes: "{}", all of a's frame and the first 10 bytes of b's ("Content-Le")
    data = b"Content-Length: 40\r\n\r\n{}" + cl(b'{"a":1}') + cl(b'{"b":2}') + cl(b'{"c":3}')
    pending = [data]

    async def read(n: int) -> bytes:
        return pending.pop() if pending else b""

    reader = FrameReader(read)
    items = []
    while (item := await reader.next()) is not None:
        items.append(item)
    # b's leftover ("ngth: 7...") is not a header block; its body is skipped up to c's header
    assert [type(i) for i in items] == [bytes, FrameError, FrameError, bytes]
    assert items[0] == b'{}Content-Length: 7\r\n\r\n{"a":1}Content-Le' and items[3] == b'{"c":3}'


@pytest.mark.parametrize("daemon", ["lines"], indirect=True)
async def test_blank_lines_and_crlf_are_tolerated(daemon: Daemon) -> None:
    line = json.dumps(request("crlf", "crlf")).encode()
    (reply,) = await exchange(daemon, b"\n\n  \r\n" + line + b"\r\n")
    assert reply["result"]["output"]["content"][0]["text"] == "echo: crlf"


@pytest.mark.parametrize("framing", ["lines", "content-length"])
async def test_after_every_bad_message_in_one_stream_the_daemon_is_whole(
    tmp_path: Path, framing: str
) -> None:
    """A daemon of its own takes every bad message back to back, then a normal request: each
    is answered as expected and in order, and the daemon is alive, logged no traceback and
    wrote nothing but protocol messages on stdout."""
    async with spawn_daemon(tmp_path, config=BIG_MODEL, framing=framing) as d:
        bodies = [frame(body, framing) for body, _ in BAD_MESSAGES.values()]
        replies = await exchange(d, *bodies)
        assert codes(replies) == [
            code for _, expected in BAD_MESSAGES.values() for code in expected
        ]
        assert d.proc.returncode is None
        assert b"Traceback" not in d.stderr, d.stderr.decode()[-3000:]
        if framing == "lines":
            lines = d.stdout_raw.splitlines()
            assert len(lines) == len(replies) + 1  # and the sync's answer
            for line in lines:
                assert isinstance(json.loads(line), (dict, list))


def vm_rss(pid: int) -> int:
    """Resident memory of a process, in bytes (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


async def test_a_length_over_the_limit_is_refused_at_once_and_never_held(tmp_path: Path) -> None:
    limit, declared, chunk = 1_000_000, 64 * 1024 * 1024, b"z" * (1024 * 1024)
    async with spawn_daemon(
        tmp_path, "--max-message-bytes", str(limit), framing="content-length"
    ) as d:
        await exchange(d)  # started and serving
        before = vm_rss(d.proc.pid)
        await d.send_raw(b"Content-Length: %d\r\n\r\n" % declared + chunk)
        refused = await d.reply()  # before the other 63 MiB are sent
        assert refused["id"] is None and refused["error"]["code"] == -32600
        assert f"exceeds the limit of {limit} bytes" in refused["error"]["message"]
        peak = 0
        for _ in range(declared // len(chunk) - 1):
            await d.send_raw(chunk)
            peak = max(peak, vm_rss(d.proc.pid))
        await exchange(d)  # the body was skipped: the next message is read as one
        assert peak - before < 16 * 1024 * 1024, (before, peak)


@pytest.mark.parametrize("framing", ["lines", "content-length"])
async def test_input_ending_inside_a_message(tmp_path: Path, framing: str) -> None:
    async with spawn_daemon(tmp_path, framing=framing) as d:
        body = json.dumps(request("cut")).encode()
        if framing == "lines":
            await d.send_raw(body[:-5])  # no newline, and the JSON is cut
        else:
            await d.send_raw(b"Content-Length: %d\r\n\r\n" % (len(body) + 100) + body)
        await d.close_stdin()
        reply = await d.reply()
        assert reply["id"] is None and reply["error"]["code"] == -32700
        if framing == "content-length":
            assert "input ended 100 bytes short" in reply["error"]["message"]
        assert await d.wait() == 0
