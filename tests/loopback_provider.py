"""Test helper: a scriptable HTTP/1.1 provider on 127.0.0.1 that can also misbehave.

Each request is routed by the ``model`` of its JSON body (or by its path when it has none) to a
list of actions, one per attempt; the last action repeats. Actions answer, or break the
exchange the way real servers and networks do: reset mid-body, drip, hang, close early.
"""

from __future__ import annotations

import asyncio
import json
import socket
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

# Shapes from the providers' API references (not from our decoders):
# https://platform.openai.com/docs/api-reference/chat/object
OPENAI_OK = {
    "id": "chatcmpl-loopback",
    "object": "chat.completion",
    "created": 1700000000,
    "model": "mock-model",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "loopback says hi"},
            "logprobs": None,
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 9, "completion_tokens": 3, "total_tokens": 12},
}
# https://docs.anthropic.com/en/api/messages
ANTHROPIC_OK = {
    "id": "msg_loopback",
    "type": "message",
    "role": "assistant",
    "model": "claude-mock",
    "content": [{"type": "text", "text": "loopback says hi"}],
    "stop_reason": "end_turn",
    "stop_sequence": None,
    "usage": {"input_tokens": 9, "output_tokens": 3},
}
# https://platform.openai.com/docs/guides/error-codes and https://docs.anthropic.com/en/api/errors
OPENAI_RATE_LIMITED = {
    "error": {
        "message": "Rate limit reached for requests",
        "type": "requests",
        "param": None,
        "code": "rate_limit_exceeded",
    }
}
ANTHROPIC_OVERLOADED = {
    "type": "error",
    "error": {"type": "overloaded_error", "message": "Overloaded"},
}


@dataclass(frozen=True)
class Exchange:
    """One request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


Action = Callable[[Exchange, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]
"""Writes (or withholds) the answer; returns True if the connection may be reused."""


def _head(status: int, headers: dict[str, str], length: int) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"content-length: {length}"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _encode(body: bytes | dict[str, Any] | str) -> bytes:
    if isinstance(body, bytes):
        return body
    return body.encode() if isinstance(body, str) else json.dumps(body).encode()


def reply(
    status: int = 200,
    body: bytes | dict[str, Any] | str = b"",
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> Action:
    data = _encode(body)

    async def act(ex: Exchange, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        w.write(_head(status, {"content-type": content_type, **(headers or {})}, len(data)) + data)
        await w.drain()
        return True

    return act


def echo_headers(status: int = 401) -> Action:
    """A careless server: its error quotes every request header back, credentials included."""

    async def act(ex: Exchange, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        quoted = "; ".join(f"{k}: {v}" for k, v in ex.headers.items())
        body = {
            "error": {"message": f"rejected {ex.method} {ex.path} ({quoted})", "type": "auth"},
            "type": "error",
        }
        return await reply(status, body, {"x-request-id": "req-echo"})(ex, r, w)

    return act


def reset_mid_body(declared: int = 4000, sent: bytes = b'{"id": "chatcmpl-1", "cho') -> Action:
    """Headers promise ``declared`` bytes; part of them arrive, then a TCP reset."""

    async def act(ex: Exchange, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        w.write(_head(200, {"content-type": "application/json"}, declared) + sent)
        await w.drain()
        await asyncio.sleep(0.05)
        sock = w.get_extra_info("socket")
        if sock is not None:  # linger 0: close() sends RST instead of FIN
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        w.transport.abort()
        return False

    return act


def drip(body: bytes | dict[str, Any], every: float = 0.2, step: int = 1) -> Action:
    """A complete, valid answer sent ``step`` bytes at a time, one step every ``every`` s."""
    data = _encode(body)

    async def act(ex: Exchange, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        w.write(_head(200, {"content-type": "application/json"}, len(data)))
        for i in range(0, len(data), step):
            await asyncio.sleep(every)
            w.write(data[i : i + step])
            await w.drain()
        return True

    return act


def hang() -> Action:
    """Reads the request and never answers; returns when the client gives up."""

    async def act(ex: Exchange, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        with suppress(ConnectionError):
            while await r.read(65536):
                pass
        return False

    return act


def close_early() -> Action:
    """Closes the connection without a word."""

    async def act(ex: Exchange, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        return False

    return act


@dataclass
class LoopbackProvider:
    script: dict[str, list[Action]] = field(default_factory=dict)
    default: Action = field(default_factory=lambda: reply(200, OPENAI_OK))
    exchanges: list[Exchange] = field(default_factory=list)
    server: asyncio.Server | None = None
    writers: set[asyncio.StreamWriter] = field(default_factory=set)
    scheme: str = "http"
    connections: int = 0  # opened since the start
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def port(self) -> int:
        assert self.server is not None
        return int(self.server.sockets[0].getsockname()[1])

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    def attempts(self, key: str) -> list[Exchange]:
        return [ex for ex in self.exchanges if _key(ex) == key]

    async def wait_for(self, key: str, within: float = 10.0) -> Exchange:
        """The first request routed to ``key``, waiting for it to arrive."""
        async with asyncio.timeout(within):
            while not (found := self.attempts(key)):
                self._arrived.clear()
                await self._arrived.wait()
        return found[0]

    def _action(self, ex: Exchange) -> Action:
        actions = self.script.get(_key(ex))
        if not actions:
            return self.default
        return actions.pop(0) if len(actions) > 1 else actions[0]

    async def _serve(self, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
        self.writers.add(w)
        self.connections += 1
        try:
            while (ex := await _read_request(r)) is not None:
                self.exchanges.append(ex)
                self._arrived.set()
                if not await self._action(ex)(ex, r, w):
                    break
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.writers.discard(w)
            w.close()

    @property
    def open_connections(self) -> int:
        return len(self.writers)


def _key(ex: Exchange) -> str:
    with suppress(ValueError, AttributeError, TypeError):
        model = ex.json.get("model")
        if isinstance(model, str):
            return model
    return ex.path


async def _read_request(r: asyncio.StreamReader) -> Exchange | None:
    try:
        head = await r.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    request_line, *lines = head.decode("latin-1").split("\r\n")
    method, path, _ = request_line.split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    body = await r.readexactly(int(headers.get("content-length", "0")))
    return Exchange(method, path, headers, body)


@asynccontextmanager
async def loopback_provider(
    script: dict[str, list[Action]] | None = None,
    default: Action | None = None,
    tls: ssl.SSLContext | None = None,
) -> AsyncIterator[LoopbackProvider]:
    provider = LoopbackProvider(script=dict(script or {}), scheme="https" if tls else "http")
    if default is not None:
        provider.default = default
    provider.server = await asyncio.start_server(provider._serve, "127.0.0.1", 0, ssl=tls)
    try:
        yield provider
    finally:
        provider.server.close()
        for writer in list(provider.writers):
            writer.transport.abort()
        with suppress(Exception):
            await asyncio.wait_for(provider.server.wait_closed(), 2)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
