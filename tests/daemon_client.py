"""Test helper: spawn the real daemon and talk raw bytes to it, in either framing.

Every wait is time-bounded and the process is always killed on the way out.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

DAEMON_CMD = [sys.executable, "-m", "provider_runtime", "serve"]
TIMEOUT = 15.0


def isolated_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The current environment without provider keys, AWS settings or config hints, XDG dirs
    under ``tmp``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_API_KEY")
        and not k.endswith("_BASE_URL")
        and k not in ("PROVIDER_RUNTIME_CONFIG", "AZURE_OPENAI_ENDPOINT")
        and not k.startswith("AWS_")  # the machine's AWS credentials, region and profile
    }
    env.update(XDG_CONFIG_HOME=str(tmp / "xdg"), HOME=str(tmp / "home"), **extra)
    return env


def frame(message: Any, framing: str) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    if framing == "lines":
        return body + b"\n"
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Daemon:
    """One spawned daemon process with a raw-bytes JSON-RPC client."""

    def __init__(self, proc: asyncio.subprocess.Process, framing: str) -> None:
        self.proc = proc
        self.framing = framing
        self.stderr = bytearray()
        self.stdout_raw = bytearray()  # every byte read from stdout, to check nothing else leaks
        self.notifications: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._stderr_task = asyncio.ensure_future(self._drain_stderr())

    async def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        while chunk := await self.proc.stderr.read(65536):
            self.stderr += chunk

    async def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        await self.proc.stdin.drain()

    async def send(self, message: Any) -> None:
        await self.send_raw(frame(message, self.framing))

    async def recv(self, within: float = TIMEOUT) -> Any:
        """The next message from the daemon (a notification, reply or batch reply)."""
        return json.loads(await asyncio.wait_for(self._read_body(), within))

    async def _read_body(self) -> bytes:
        out = self.proc.stdout
        assert out is not None
        if self.framing == "lines":
            line = await out.readline()
            if not line:
                raise EOFError("daemon closed stdout")
            self.stdout_raw += line
            return line
        length = None
        while True:
            header = await out.readline()
            if not header:
                raise EOFError("daemon closed stdout")
            self.stdout_raw += header
            if header in (b"\r\n", b"\n"):
                break
            name, _, value = header.decode("ascii").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip())
        assert length is not None, "reply without Content-Length"
        body = await out.readexactly(length)
        self.stdout_raw += body
        return body

    async def reply(self, within: float = TIMEOUT) -> dict[str, Any]:
        """The next reply, collecting notifications met on the way."""
        while True:
            message = await self.recv(within)
            if isinstance(message, dict) and "method" in message and "id" not in message:
                self.notifications.append(message)
                continue
            return message  # type: ignore[no-any-return]

    async def request(
        self, method: str, params: Any = None, *, msg_id: Any = None, within: float = TIMEOUT
    ) -> dict[str, Any]:
        """Send one request and return its reply (the next reply must be it)."""
        msg_id = next(self._ids) if msg_id is None else msg_id
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        await self.send(message)
        reply = await self.reply(within)
        assert reply.get("id") == msg_id, reply
        return reply

    async def notify(self, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        await self.send(message)

    async def close_stdin(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        with suppress(BrokenPipeError, ConnectionResetError):
            await self.proc.stdin.wait_closed()

    async def wait(self, within: float = TIMEOUT) -> int:
        code = await asyncio.wait_for(self.proc.wait(), within)
        with suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._stderr_task, 5)
        return code

    async def kill(self) -> None:
        if self.proc.returncode is None:
            self.proc.kill()
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.proc.wait(), 5)
        self._stderr_task.cancel()


@asynccontextmanager
async def spawn_daemon(
    tmp: Path,
    *args: str,
    config: str | None = "",
    framing: str = "lines",
    env: dict[str, str] | None = None,
) -> AsyncIterator[Daemon]:
    """Start ``provider-runtime serve`` with a config file holding ``config`` (None: no file)."""
    cmd = [*DAEMON_CMD, *args]
    if config is not None:
        path = tmp / "config.toml"
        path.write_text(config)
        cmd += ["--config", str(path)]
    proc = await asyncio.create_subprocess_exec(
        *cmd,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env or isolated_env(tmp),
        limit=256 * 1024 * 1024,
    )
    daemon = Daemon(proc, framing)
    try:
        yield daemon
    finally:
        await daemon.kill()


def run_params(text: str, model: str = "echo/echo-1", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": text}], **extra}
