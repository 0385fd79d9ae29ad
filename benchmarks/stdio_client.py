"""A pipelining JSON-RPC client for the daemon over its stdio (Content-Length or line framing).

Any number of requests may be in flight; one reader task matches replies to futures by id. It
also timestamps the daemon's stderr lines, which is how ``-X importtime`` output is split at
the moment of the first answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from dataclasses import dataclass, field

import msgspec

_HEADER_END = b"\r\n\r\n"
_STDERR_KEEP = 200  # lines kept when not capturing everything (for error reports)


class _Reply(msgspec.Struct):
    id: int | str | None = None
    result: msgspec.Raw = msgspec.Raw()  # empty (falsy) when absent
    error: msgspec.Raw = msgspec.Raw()
    method: str | None = None  # notifications (window/logMessage) carry a method, no id


_decode_reply = msgspec.json.Decoder(_Reply).decode


class RpcError(Exception):
    """The daemon answered with a JSON-RPC error (its JSON is the message)."""


@dataclass
class StderrLog:
    """The daemon's stderr, line by line, each with the ``perf_counter`` of its arrival."""

    keep_all: bool = False
    lines: deque[tuple[float, str]] = field(default_factory=deque)

    def add(self, line: str) -> None:
        self.lines.append((time.perf_counter(), line))
        if not self.keep_all and len(self.lines) > _STDERR_KEEP:
            self.lines.popleft()

    def before(self, moment: float) -> list[str]:
        return [text for at, text in self.lines if at <= moment]

    def between(self, start: float, end: float) -> list[str]:
        return [text for at, text in self.lines if start < at <= end]

    def tail(self, n: int = 20) -> str:
        return "\n".join(text for _, text in list(self.lines)[-n:])


class DaemonClient:
    """One spawned daemon. Use ``await DaemonClient.spawn(argv)`` and ``await close()``."""

    def __init__(self, proc: asyncio.subprocess.Process, framing: str, spawned_at: float) -> None:
        self.proc = proc
        self.framing = framing
        self.spawned_at = spawned_at
        self.stderr = StderrLog()
        self._next_id = 0
        self._pending: dict[int | str, asyncio.Future[msgspec.Raw]] = {}
        self._reader = asyncio.ensure_future(self._read_replies())
        self._stderr_task = asyncio.ensure_future(self._read_stderr())

    @classmethod
    async def spawn(
        cls,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        framing: str = "content-length",
        keep_stderr: bool = False,
    ) -> DaemonClient:
        spawned_at = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
            limit=64 * 1024 * 1024,
        )
        client = cls(proc, framing, spawned_at)
        client.stderr.keep_all = keep_stderr
        return client

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _frame(self, body: bytes) -> bytes:
        if self.framing == "lines":
            return body + b"\n"
        return b"Content-Length: %d\r\n\r\n%b" % (len(body), body)

    async def request(self, method: str, params: bytes | None = None) -> msgspec.Raw:
        """Send one request (``params``: JSON bytes) and wait for its result."""
        self._next_id += 1
        rid = self._next_id
        body = b'{"jsonrpc":"2.0","id":%d,"method":"%b"' % (rid, method.encode())
        body += b"}" if params is None else b',"params":%b}' % params
        future: asyncio.Future[msgspec.Raw] = asyncio.get_running_loop().create_future()
        self._pending[rid] = future
        stdin = self.proc.stdin
        assert stdin is not None
        stdin.write(self._frame(body))
        await stdin.drain()
        return await future

    def notify(self, method: str) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        stdin.write(self._frame(b'{"jsonrpc":"2.0","method":"%b"}' % method.encode()))

    async def _read_replies(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        try:
            while True:
                if self.framing == "lines":
                    raw = await stdout.readline()
                    if not raw:
                        break
                else:
                    header = await stdout.readuntil(_HEADER_END)
                    raw = await stdout.readexactly(_content_length(header))
                self._dispatch(_decode_reply(raw))
        except (asyncio.IncompleteReadError, ConnectionError):
            self._fail_pending("the daemon closed its stdout")
        except Exception as exc:  # a reply this client cannot read: fail loudly, not hang
            self._fail_pending(f"unreadable reply ({type(exc).__name__}: {exc})")
        else:
            self._fail_pending("the daemon closed its stdout")

    def _dispatch(self, reply: _Reply) -> None:
        if reply.id is None:
            return
        future = self._pending.pop(reply.id, None)
        if future is None or future.done():
            return
        if reply.error:
            future.set_exception(RpcError(bytes(reply.error).decode()))
        else:
            future.set_result(reply.result or msgspec.Raw(b"null"))

    def _fail_pending(self, why: str) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(RpcError(f"{why}; stderr:\n{self.stderr.tail()}"))
        self._pending.clear()

    async def _read_stderr(self) -> None:
        stream = self.proc.stderr
        assert stream is not None
        while line := await stream.readline():
            self.stderr.add(line.decode(errors="replace").rstrip("\n"))

    async def close(self, wait_seconds: float = 5.0) -> int:
        """``shutdown`` then ``exit``; kill the process if it does not end in time."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.request("shutdown"), wait_seconds)
        with contextlib.suppress(Exception):
            self.notify("exit")
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        try:
            code = await asyncio.wait_for(self.proc.wait(), wait_seconds)
        except TimeoutError:
            self.proc.kill()
            code = await self.proc.wait()
        await asyncio.wait([self._reader, self._stderr_task], timeout=wait_seconds)
        return code

    def kill(self) -> None:
        """Last resort for error paths: the process must not outlive the benchmark."""
        if self.proc.returncode is None:
            self.proc.kill()


def _content_length(header: bytes) -> int:
    for line in header.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise ValueError(f"no Content-Length in {header!r}")


def read_rss_kib(pid: int) -> int | None:
    """Resident set size of a process, KiB (Linux ``/proc``; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None
