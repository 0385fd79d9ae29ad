"""A mock LLM provider on 127.0.0.1: raw asyncio HTTP/1.1 with keep-alive, fixed valid answers.

It answers a POST for each API in ``bodies.APIS`` (Chat Completions, Messages, Responses,
Gemini ``generateContent``, Bedrock Converse) at once, with its fixed answer, so what a benchmark
measures is the client. ``GET /__stats`` reports requests and connections seen.
Run as ``python -m benchmarks.mock_server``: prints ``READY <port>``, stops on stdin EOF,
SIGTERM or after ``--max-seconds``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field

from .bodies import APIS, encode, response_for

_MAX_HEADER_BYTES = 64 * 1024


@dataclass
class Stats:
    requests: int = 0
    connections: int = 0
    open_connections: int = 0
    max_open_connections: int = 0
    by_path: dict[str, int] = field(default_factory=dict)


def _response(status: str, body: bytes, extra: bytes = b"", close: bool = False) -> bytes:
    head = (
        b"HTTP/1.1 " + status.encode() + b"\r\n"
        b"content-type: application/json\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n" + extra
    )
    if close:
        head += b"connection: close\r\n"
    return head + b"\r\n" + body


def _prebuilt() -> dict[str, bytes]:
    return {
        api.name: _response("200 OK", encode(api.response), api.response_headers)
        for api in APIS.values()
    }


class _HttpProtocol(asyncio.Protocol):
    """One connection: parse pipelined requests from a buffer, answer each in order."""

    def __init__(self, stats: Stats, answers: dict[str, bytes]) -> None:
        self._stats = stats
        self._answers = answers
        self._buf = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        s = self._stats
        s.connections += 1
        s.open_connections += 1
        s.max_open_connections = max(s.max_open_connections, s.open_connections)

    def connection_lost(self, exc: Exception | None) -> None:
        self._stats.open_connections -= 1

    def data_received(self, data: bytes) -> None:
        self._buf += data
        while self._transport is not None and self._handle_one():
            pass

    def _handle_one(self) -> bool:
        """Answer one complete request from the buffer; False when more bytes are needed."""
        end = self._buf.find(b"\r\n\r\n")
        if end < 0:
            if len(self._buf) > _MAX_HEADER_BYTES:
                self._reply(_response("431 Too Large", b"{}", close=True), close=True)
            return False
        lines = bytes(self._buf[:end]).decode("latin-1").split("\r\n")
        method, _, rest = lines[0].partition(" ")
        path = rest.rpartition(" ")[0].split("?", 1)[0]
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        consumed = _body_end(self._buf, end + 4, headers)
        if consumed is None:
            return False
        del self._buf[:consumed]
        close = headers.get("connection", "").lower() == "close"
        self._reply(self._answer(method, path, close), close)
        return True

    def _answer(self, method: str, path: str, close: bool) -> bytes:
        s = self._stats
        s.requests += 1
        s.by_path[path] = s.by_path.get(path, 0) + 1
        if method == "GET" and path == "/__stats":
            body = json.dumps(s.__dict__).encode()
            return _response("200 OK", body, close=close)
        api = response_for(path) if method == "POST" else None
        if api is not None:
            return self._answers[api.name]
        return _response("404 Not Found", b'{"error":{"message":"not found"}}', close=close)

    def _reply(self, data: bytes, close: bool) -> None:
        assert self._transport is not None
        self._transport.write(data)
        if close:
            self._transport.close()
            self._transport = None


def _body_end(buf: bytearray, start: int, headers: dict[str, str]) -> int | None:
    """Offset just past the request body, or None while it is incomplete."""
    if headers.get("transfer-encoding", "").lower() == "chunked":
        pos = start
        while True:
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                return None
            size = int(bytes(buf[pos:eol]).split(b";")[0], 16)
            pos = eol + 2 + size + 2
            if pos > len(buf):
                return None
            if size == 0:
                return pos  # no trailers are sent by the clients measured
    length = int(headers.get("content-length", "0") or 0)
    return start + length if len(buf) >= start + length else None


async def serve(port: int, max_seconds: float) -> None:
    loop = asyncio.get_running_loop()
    stats = Stats()
    answers = _prebuilt()
    server = await loop.create_server(
        lambda: _HttpProtocol(stats, answers), "127.0.0.1", port, backlog=1024
    )
    bound = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"READY {bound}\n")
    sys.stdout.flush()
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    eof = loop.run_in_executor(None, sys.stdin.buffer.read)  # the parent closing stdin: stop
    eof.add_done_callback(lambda _: stop.set())
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), max_seconds)
    server.close()
    sys.stderr.write(f"mock: {stats.requests} requests on {stats.connections} connections\n")
    sys.stderr.flush()
    # The executor's thread still blocks in read(); end without waiting for it.
    sys.stdout.flush()
    os._exit(0)


@contextlib.contextmanager
def running_mock(python: str, env: dict[str, str], max_seconds: float = 900.0) -> Iterator[str]:
    """Start the mock in its own process; yield its base URL; always stop it."""
    proc = subprocess.Popen(
        [python, "-m", "benchmarks.mock_server", "--max-seconds", str(max_seconds)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().decode().split()
        if len(line) != 2 or line[0] != "READY":
            raise RuntimeError(f"mock server did not start: {line!r}")
        yield f"http://127.0.0.1:{line[1]}"
    finally:
        if proc.stdin is not None:
            proc.stdin.close()  # EOF: the mock stops
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=900.0)
    args = parser.parse_args()
    asyncio.run(serve(args.port, args.max_seconds))


if __name__ == "__main__":
    main()
