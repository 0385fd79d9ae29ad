"""Independent clients against the spawned daemon (pygls, python-lsp-jsonrpc, raw bytes):
concurrency with out-of-order replies, and cancellation that aborts the provider's HTTP call.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import pytest
from pygls.client import JsonRPCClient
from pygls.exceptions import JsonRpcException
from pylsp_jsonrpc.endpoint import Endpoint
from pylsp_jsonrpc.exceptions import JsonRpcException as PylspJsonRpcException
from pylsp_jsonrpc.streams import JsonRpcStreamReader, JsonRpcStreamWriter

from tests.daemon_client import DAEMON_CMD, isolated_env, run_params, spawn_daemon

TOOL_WITH_ODD_KEYS = {
    "name": "lookup",
    "parameters": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"x-api-version": {"type": "string"}, "class": {"type": "integer"}},
    },
}


# ------------------------------------------------------------------ a provider that never answers


class HangingProvider:
    """An HTTP server on 127.0.0.1 that accepts requests and never answers them."""

    def __init__(self) -> None:
        self.connected = asyncio.Event()
        self.disconnected = asyncio.Event()
        self.server: asyncio.Server | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connected.set()
        with suppress(ConnectionError):
            while await reader.read(65536):
                pass
        self.disconnected.set()  # the client closed the connection: the call was aborted
        writer.close()

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    def config(self) -> str:
        return (
            "[providers.hang]\n"
            'type = "openai_compatible"\n'
            f'base_url = "http://127.0.0.1:{self.port}/v1"\n'
            "max_retries = 0\n"
        )


@asynccontextmanager
async def hanging_provider() -> AsyncIterator[HangingProvider]:
    provider = HangingProvider()
    provider.server = await asyncio.start_server(provider._handle, "127.0.0.1", 0)
    try:
        yield provider
    finally:
        provider.server.close()


async def test_cancel_aborts_the_in_flight_http_call_with_32800(tmp_path: Path) -> None:
    async with hanging_provider() as hang, spawn_daemon(tmp_path, config=hang.config()) as d:
        await d.send(
            {
                "jsonrpc": "2.0",
                "id": "call-1",
                "method": "runtime/run",
                "params": run_params("hello", model="hang/some-model"),
            }
        )
        await asyncio.wait_for(hang.connected.wait(), 10)
        await d.notify("$/cancelRequest", {"id": "call-1"})
        reply = await d.reply()
        assert reply["id"] == "call-1" and reply["error"]["code"] == -32800
        await asyncio.wait_for(hang.disconnected.wait(), 5)
        ok = await d.request("runtime/run", run_params("after the cancel"))
        assert ok["result"]["output"]["content"][0]["text"] == "echo: after the cancel"


async def test_cancel_leaves_other_requests_alone(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        for msg_id, text in (("slow", "/sleep 30 never"), ("quick", "/sleep 0.3 done")):
            params = run_params(text)
            await d.send(
                {"jsonrpc": "2.0", "id": msg_id, "method": "runtime/run", "params": params}
            )
        await asyncio.sleep(0.1)
        await d.notify("$/cancelRequest", {"id": "slow"})
        first, second = await d.reply(), await d.reply()
        assert (first["id"], first["error"]["code"]) == ("slow", -32800)
        assert second["id"] == "quick" and "result" in second


async def test_a_hundred_requests_in_flight_all_answered_with_their_ids(tmp_path: Path) -> None:
    ids: list[int | str] = [i if i % 2 else f"id-{i}" for i in range(100)]
    async with spawn_daemon(tmp_path) as d:
        payload = b"".join(
            # later requests sleep less, so replies come back out of order
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": msg_id,
                    "method": "runtime/run",
                    "params": run_params(f"/sleep {(100 - n) * 0.004:.3f} n{n}"),
                }
            ).encode()
            + b"\n"
            for n, msg_id in enumerate(ids)
        )
        await d.send_raw(payload)
        replies = [await d.reply() for _ in ids]
    got = [r["id"] for r in replies]
    assert sorted(map(str, got)) == sorted(map(str, ids)) and len(set(map(str, got))) == 100
    assert got != ids  # served concurrently: not in the order sent
    for reply in replies:
        n = ids.index(reply["id"])
        assert reply["result"]["output"]["content"][0]["text"] == f"echo: n{n}"


# ------------------------------------------------------------------ pygls JsonRPCClient


async def test_pygls_client_session(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("")
    client = JsonRPCClient()
    logs: list[Any] = []

    @client.feature("window/logMessage")
    def on_log_message(params: Any) -> None:
        logs.append(params)

    await client.start_io(
        *DAEMON_CMD, "--config", str(tmp_path / "config.toml"), env=isolated_env(tmp_path)
    )
    try:
        proto = client.protocol
        init = await asyncio.wait_for(
            proto.send_request_async("initialize", {"warningNotifications": True}), 10
        )
        assert init.serverInfo.name == "provider-runtime" and init.protocolVersion == "1"

        params = run_params("/tool lookup {}", tools=[TOOL_WITH_ODD_KEYS])
        result = await asyncio.wait_for(proto.send_request_async("runtime/run", params), 10)
        assert result.finish_reason == "tool_calls"
        assert result.output.content[0].name == "lookup"
        assert result.cost.total == "0" and result.warnings == []  # echo-1 is priced at $0
        unpriced = run_params("hi", "echo/echo-unpriced")  # an id echo does not list: no price
        await asyncio.wait_for(proto.send_request_async("runtime/run", unpriced), 10)
        assert any("[pricing.missing]" in entry.message for entry in logs)

        replies = await asyncio.wait_for(
            asyncio.gather(
                *(proto.send_request_async("runtime/run", run_params(f"p{i}")) for i in range(20))
            ),
            20,
        )
        assert [r.output.content[0].text for r in replies] == [f"echo: p{i}" for i in range(20)]

        pending = proto.send_request_async("runtime/run", run_params("/sleep 30"), msg_id="c-9")
        await asyncio.sleep(0.2)
        proto.notify("$/cancelRequest", {"id": "c-9"})
        with pytest.raises(JsonRpcException) as info:
            await asyncio.wait_for(pending, 10)
        assert info.value.code == -32800

        with pytest.raises(JsonRpcException) as bad:
            await asyncio.wait_for(proto.send_request_async("runtime/run", {"model": 1}), 10)
        assert bad.value.code == -32602

        assert await asyncio.wait_for(proto.send_request_async("shutdown"), 10) is None
        proto.notify("exit")
        await asyncio.wait_for(client.stop(), 10)
        assert client._server is not None and client._server.returncode == 0
    finally:
        if client._server is not None and client._server.returncode is None:
            client._server.kill()
            await client._server.wait()


# ------------------------------------------------------------------ python-lsp-jsonrpc


def test_python_lsp_jsonrpc_client_session(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("")
    proc = subprocess.Popen(
        [*DAEMON_CMD, "--config", str(tmp_path / "config.toml")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=isolated_env(tmp_path),
    )
    assert proc.stdin is not None and proc.stdout is not None
    counter = itertools.count(1)
    notes: list[Any] = []
    endpoint = Endpoint(
        {"window/logMessage": notes.append},
        JsonRpcStreamWriter(proc.stdin).write,
        id_generator=lambda: f"req-{next(counter)}",
    )
    listener = threading.Thread(
        target=JsonRpcStreamReader(proc.stdout).listen, args=(endpoint.consume,), daemon=True
    )
    listener.start()
    try:
        init = endpoint.request("initialize", {"warningNotifications": True}).result(10)
        assert init["protocolVersion"] == "1"

        unpriced = "echo/echo-unpriced"  # each answer warns pricing.missing: 100 log messages
        futures = [
            endpoint.request("runtime/run", run_params(f"q{i}", unpriced)) for i in range(100)
        ]
        texts = [f.result(20)["output"]["content"][0]["text"] for f in futures]
        assert texts == [f"echo: q{i}" for i in range(100)]
        assert len(notes) == 100 and all(n["type"] == 2 for n in notes)

        # keys that are not Python identifiers reach the runtime intact (pygls's default
        # converter would have renamed them `_0`, `_1`)
        odd = run_params("v2", tools=[TOOL_WITH_ODD_KEYS], tool_choice="required")
        call = endpoint.request("runtime/run", odd).result(10)["output"]["content"][0]
        assert call["arguments"] == {"x-api-version": "v2", "class": 0}

        models = endpoint.request("runtime/models", {"providers": ["echo"]}).result(10)
        assert [m["id"] for m in models["models"]] == ["echo-1", "echo-lite"]

        slow = endpoint.request("runtime/run", run_params("/sleep 30"))  # id req-104
        endpoint.notify("$/cancelRequest", {"id": "req-104"})
        with pytest.raises(PylspJsonRpcException) as info:
            slow.result(10)
        assert info.value.code == -32800

        with pytest.raises(PylspJsonRpcException) as err:
            endpoint.request("runtime/run", run_params("/error overloaded busy")).result(10)
        assert err.value.code == -32021 and err.value.data["kind"] == "overloaded"

        assert endpoint.request("shutdown").result(10) is None
        endpoint.notify("exit")
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
        endpoint.shutdown()


def test_python_dash_m_entry_point_is_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "provider_runtime", "--version"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 0 and done.stdout.startswith("provider-runtime ")
