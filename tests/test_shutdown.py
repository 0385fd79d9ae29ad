"""LSP's ending against the spawned daemon: `shutdown` then `exit` answers the work received
before `shutdown` (no -32800), refuses what comes after it, and still honours `$/cancelRequest`;
end of input answers what is in flight, a dead parent (both pipes closed) ends the daemon.

Waits are safety bounds, never timed assertions; "slow" calls take a second or less.
"""

from __future__ import annotations

import asyncio
import json
import os
import shlex
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.daemon_client import DAEMON_CMD, Daemon, isolated_env, spawn_daemon
from tests.loopback_provider import (
    OPENAI_OK,
    Action,
    Exchange,
    LoopbackProvider,
    hang,
    loopback_provider,
    reply,
)
from tests.test_lifecycle import run

CONFIG = """
[providers.slow]
type = "openai_compatible"
base_url = "{url}/v1"
timeout = 30
max_retries = 0
"""


def answer_after(seconds: float) -> Action:
    """The provider takes ``seconds`` to answer, as a real model does."""

    async def act(ex: Exchange, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(seconds)
        return await reply(200, OPENAI_OK)(ex, r, w)

    return act


@asynccontextmanager
async def slow_provider(
    seconds: float = 0.8, **script: Action
) -> AsyncIterator[tuple[LoopbackProvider, str]]:
    actions = {model: [action] for model, action in script.items()}
    async with loopback_provider(actions, default=answer_after(seconds)) as server:
        yield server, CONFIG.format(url=server.url)


def script_input(*messages: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(m).encode() + b"\n" for m in messages)


def request(msg_id: Any, method: str) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": msg_id, "method": method}


EXIT = {"jsonrpc": "2.0", "method": "exit"}


async def all_replies(d: Daemon, count: int) -> dict[Any, dict[str, Any]]:
    replies: dict[Any, dict[str, Any]] = {}
    for _ in range(count):
        message = await d.reply()
        assert message["id"] not in replies, message  # answered exactly once
        replies[message["id"]] = message
    return replies


def text_of(message: dict[str, Any]) -> str:
    assert "result" in message, message
    text: str = message["result"]["output"]["content"][0]["text"]
    return text


# --------------------------------------------------------------------------- shutdown + exit


async def test_a_piped_script_gets_every_answer_before_exit(tmp_path: Path) -> None:
    """The order protocol.md's transcript shows, piped at once: initialize, calls waiting on a
    slow provider, shutdown, exit. Each call is answered with its result, then status 0."""
    async with slow_provider() as (server, config):
        calls = [run(n, f"call {n}", model="slow/m") for n in (2, 3, 4)]
        calls.append(run(5, "/sleep 0.8 echo too"))
        data = script_input(request(1, "initialize"), *calls, request(6, "shutdown"), EXIT)
        async with spawn_daemon(tmp_path, config=config) as d:
            await d.send_raw(data)
            await d.close_stdin()
            replies = await all_replies(d, 6)
            assert await d.wait() == 0
    assert [text_of(replies[n]) for n in (2, 3, 4)] == ["loopback says hi"] * 3
    assert text_of(replies[5]) == "echo: echo too"
    assert replies[6]["result"] is None and "serverInfo" in replies[1]["result"]
    assert len(server.attempts("m")) == 3


async def test_exit_waits_for_calls_with_stdin_still_open(tmp_path: Path) -> None:
    """An editor keeps the pipe open after `exit`: the daemon answers, then ends by itself."""
    async with slow_provider() as (_, config), spawn_daemon(tmp_path, config=config) as d:
        await d.send(run("before", "x", model="slow/m"))
        assert (await d.request("shutdown"))["result"] is None
        late = await d.request("runtime/run", run("late", "x")["params"], msg_id="late")
        assert late["error"] == {"code": -32600, "message": "the server is shutting down"}
        await d.notify("exit")
        assert text_of(await d.reply()) == "loopback says hi"
        assert await d.wait() == 0


async def test_cancel_request_still_works_after_shutdown_and_exit(tmp_path: Path) -> None:
    async with (
        slow_provider(never=hang()) as (server, config),
        spawn_daemon(tmp_path, config=config) as d,
    ):
        await d.send(run("stuck", "x", model="slow/never"))
        await d.send(run("slow", "x", model="slow/m"))
        await server.wait_for("never")
        assert (await d.request("shutdown"))["result"] is None
        await d.notify("exit")
        await d.notify("$/cancelRequest", {"id": "stuck"})
        replies = await all_replies(d, 2)
        assert await d.wait() == 0
    assert replies["stuck"]["error"]["code"] == -32800
    assert text_of(replies["slow"]) == "loopback says hi"


# --------------------------------------------------------------------------- end of input


def test_echo_pipe_answers_the_call_in_flight_then_exits(tmp_path: Path) -> None:
    """`echo '{...}' | provider-runtime serve`: stdin ends at once, stdout is still read."""

    async def scenario() -> subprocess.CompletedProcess[str]:
        async with slow_provider() as (_, config):
            (tmp_path / "config.toml").write_text(config)
            line = json.dumps(run(1, "x", model="slow/m"))
            daemon = shlex.join([*DAEMON_CMD, "--config", str(tmp_path / "config.toml")])
            shell = f"echo {shlex.quote(line)} | {daemon}"
            return await asyncio.to_thread(
                subprocess.run,
                ["sh", "-c", shell],
                capture_output=True,
                text=True,
                env=isolated_env(tmp_path),
                timeout=30,
            )

    done = asyncio.run(scenario())
    assert done.returncode == 0, done.stderr
    (answer,) = map(json.loads, done.stdout.splitlines())
    assert text_of(answer) == "loopback says hi"


async def test_both_pipes_closed_with_a_call_in_flight_ends_the_daemon(tmp_path: Path) -> None:
    """A dead parent: stdin ends and no one reads stdout, while the provider never answers."""
    async with slow_provider(never=hang()) as (server, config):
        (tmp_path / "config.toml").write_text(config)
        cmd = [*DAEMON_CMD, "--config", str(tmp_path / "config.toml")]
        in_r, in_w = os.pipe()
        out_r, out_w = os.pipe()
        proc = await asyncio.create_subprocess_exec(
            *cmd, stdin=in_r, stdout=out_w, stderr=subprocess.DEVNULL, env=isolated_env(tmp_path)
        )
        os.close(in_r)
        os.close(out_w)
        try:
            os.write(in_w, script_input(run(1, "x", model="slow/never")))
            await server.wait_for("never")
            os.close(in_w)
            os.close(out_r)
            # the bound is the requirement (5 s), not a measure of speed
            assert await asyncio.wait_for(proc.wait(), 5) == 0
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
