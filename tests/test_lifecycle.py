"""How the spawned daemon ends, with work in flight: stdin EOF, SIGTERM, the parent's death,
``exit`` with or without ``shutdown``; and it leaves no ``api_key_command`` process behind.

Processes are checked through /proc and ``os.kill(pid, 0)``: a zombie counts as gone (it has
exited; only its parent, perhaps init, has yet to collect it).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from tests.daemon_client import DAEMON_CMD, Daemon, isolated_env, run_params, spawn_daemon
from tests.loopback_provider import LoopbackProvider, hang, loopback_provider

# Starts a grandchild, records both pids, then takes its time before printing the key.
SLOW_HOOK = """
import os, subprocess, sys, time
sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
child = subprocess.Popen(sleeper, stdout=subprocess.DEVNULL)
path = os.path.join(sys.argv[1], f"hook-{os.getpid()}")
with open(path + ".tmp", "w") as f:
    f.write(str(child.pid))
os.replace(path + ".tmp", path)  # whole or not at all, for a reader polling the directory
time.sleep(float(sys.argv[2]))
print("sk-slow-hook-key")
"""

CONFIG = """
[providers.hang]
type = "openai_compatible"
base_url = "{url}/v1"
timeout = {timeout}
max_retries = 0

[providers.hooked]
type = "openai_compatible"
base_url = "{url}/v1"
api_key_command = ["{python}", "{hook}", "{pids}", "{hook_seconds}"]
api_key_command_timeout = {hook_timeout}
timeout = {timeout}
max_retries = 0
"""


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state in ("Z", "X")


async def all_gone(pids: list[int], within: float = 5.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if all(gone(p) for p in pids):
            return True
        await asyncio.sleep(0.05)
    return all(gone(p) for p in pids)


class Hooks:
    """Where the slow key command records the pids of itself and its child."""

    def __init__(self, tmp: Path) -> None:
        self.dir = tmp / "pids"
        self.dir.mkdir()
        self.script = tmp / "slow_hook.py"
        self.script.write_text(SLOW_HOOK)

    def pids(self) -> list[int]:
        out = []
        for f in self.dir.glob("hook-*[0-9]"):
            out += [int(f.name.removeprefix("hook-")), int(f.read_text())]
        return out

    def kill_leftovers(self) -> None:
        """After a failed check: end what our hook started (by pid), not to leak it."""
        for pid in self.pids():
            if not gone(pid):
                os.kill(pid, signal.SIGKILL)

    async def started(self, within: float = 10.0) -> list[int]:
        deadline = time.monotonic() + within
        while not (pids := self.pids()) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.02)  # another process writes the file: polling it is all
        assert pids, "the key command did not start"
        return pids


def config_text(
    hooks: Hooks,
    url: str,
    *,
    timeout: float = 30.0,
    hook_seconds: float = 30.0,
    hook_timeout: float = 30.0,
) -> str:
    return CONFIG.format(
        url=url,
        timeout=timeout,
        python=sys.executable,
        hook=hooks.script,
        pids=hooks.dir,
        hook_seconds=hook_seconds,
        hook_timeout=hook_timeout,
    )


@asynccontextmanager
async def setup(
    tmp: Path, *args: str, **options: float
) -> AsyncIterator[tuple[Daemon, LoopbackProvider, Hooks]]:
    hooks = Hooks(tmp)
    try:
        async with loopback_provider(default=hang()) as server:
            config = config_text(hooks, server.url, **options)
            async with spawn_daemon(tmp, *args, config=config) as d:
                yield d, server, hooks
    finally:
        hooks.kill_leftovers()


def run(msg_id: Any, text: str, model: str = "echo/echo-1") -> dict[str, Any]:
    params = run_params(text, model=model)
    return {"jsonrpc": "2.0", "id": msg_id, "method": "runtime/run", "params": params}


async def replies_until_exit(d: Daemon, count: int) -> dict[Any, dict[str, Any]]:
    replies: dict[Any, dict[str, Any]] = {}
    for _ in range(count):
        message = await d.reply(within=10)
        assert message["id"] not in replies, message  # answered exactly once
        replies[message["id"]] = message
    return replies


# --------------------------------------------------------------------------- stdin EOF


async def test_eof_answers_everything_in_flight_within_its_limits(tmp_path: Path) -> None:
    async with setup(tmp_path, timeout=1.0, hook_seconds=0.3) as (d, _, hooks):
        await d.send(run("quick", "/sleep 0.2 quick"))
        await d.send(run("slower", "/sleep 0.6 slower"))
        await d.send(run("no-answer", "x", model="hang/m"))  # times out after 1 s
        await d.send(run("key", "x", model="hooked/m"))  # key after 0.3 s, then the provider hangs
        await d.send(run("cancelled", "/sleep 30 never"))
        await d.notify("$/cancelRequest", {"id": "cancelled"})
        started = time.monotonic()
        await d.close_stdin()
        replies = await replies_until_exit(d, 5)
        assert await d.wait() == 0
        elapsed = time.monotonic() - started
        pids = hooks.pids()
    assert replies["quick"]["result"]["output"]["content"][0]["text"] == "echo: quick"
    assert replies["slower"]["result"]["output"]["content"][0]["text"] == "echo: slower"
    assert replies["no-answer"]["error"]["data"]["kind"] == "timeout"
    assert replies["key"]["error"]["data"]["kind"] == "timeout"
    assert replies["cancelled"]["error"]["code"] == -32800
    assert elapsed < 5  # the longest limit is 0.3 + 1 s
    assert pids and await all_gone(pids)


async def test_eof_while_a_key_command_runs_waits_for_its_timeout_then_kills_it(
    tmp_path: Path,
) -> None:
    async with setup(tmp_path, hook_timeout=0.8) as (d, _, hooks):
        await d.send(run("key", "x", model="hooked/m"))
        pids = await hooks.started()
        await d.close_stdin()
        reply = await d.reply()
        assert (
            reply["error"]["data"]["kind"] == "config" and "timed out" in reply["error"]["message"]
        )
        assert await d.wait() == 0
    assert await all_gone(pids)


# --------------------------------------------------------------------------- signals and exit


async def test_sigterm_cancels_http_calls_and_key_commands_and_leaves_no_process(
    tmp_path: Path,
) -> None:
    async with setup(tmp_path) as (d, server, hooks):
        await d.request("initialize")
        await d.send(run("http", "x", model="hang/m"))
        await d.send(run("key", "x", model="hooked/m"))
        await d.send(run("sleep", "/sleep 30 x"))
        await server.wait_for("m")
        pids = await hooks.started()
        started = time.monotonic()
        d.proc.send_signal(signal.SIGTERM)
        replies = await replies_until_exit(d, 3)
        assert await d.wait() == 0
        assert time.monotonic() - started < 3
        assert {r["error"]["code"] for r in replies.values()} == {-32800}
        assert await all_gone(pids)
        await asyncio.sleep(0.2)
        assert server.open_connections == 0  # the HTTP call was aborted, not left open


async def test_exit_without_shutdown_cancels_work_and_is_status_1(tmp_path: Path) -> None:
    async with setup(tmp_path) as (d, _, hooks):
        await d.send(run("key", "x", model="hooked/m"))
        await d.send(run("sleep", "/sleep 30 x"))
        pids = await hooks.started()
        await d.notify("exit")
        replies = await replies_until_exit(d, 2)
        assert await d.wait() == 1
    assert {r["error"]["code"] for r in replies.values()} == {-32800}
    assert await all_gone(pids)


async def test_shutdown_then_exit_with_work_in_flight_answers_it_and_is_status_0(
    tmp_path: Path,
) -> None:
    async with spawn_daemon(tmp_path) as d:
        await d.send(run("sleep", "/sleep 0.5 x"))
        assert (await d.request("shutdown"))["result"] is None
        await d.notify("exit")
        reply = await d.reply()
        assert (reply["id"], reply["result"]["output"]["content"][0]["text"]) == (
            "sleep",
            "echo: x",
        )
        assert await d.wait() == 0


async def test_a_cancelled_call_leaves_its_key_command_to_its_timeout(tmp_path: Path) -> None:
    """The command is shared by every caller, so one cancel does not kill it; its timeout
    does, and the daemon goes on serving meanwhile."""
    async with setup(tmp_path, hook_timeout=0.8) as (d, _, hooks):
        await d.send(run("key", "x", model="hooked/m"))
        pids = await hooks.started()
        await d.notify("$/cancelRequest", {"id": "key"})
        assert (await d.reply())["error"]["code"] == -32800
        assert (await d.request("runtime/run", run_params("meanwhile")))["result"]
        assert await all_gone(pids, within=5)
        assert d.proc.returncode is None


# --------------------------------------------------------------------------- parent death

# The parent: spawns the daemon with pipes, sends requests, reports the daemon's pid, waits.
PARENT = """
import json, subprocess, sys, time
cmd, env, out, requests = json.loads(sys.argv[1])
stdout = subprocess.PIPE if out is None else open(out, "wb")
pipe, quiet = subprocess.PIPE, subprocess.DEVNULL
daemon = subprocess.Popen(cmd, stdin=pipe, stdout=stdout, stderr=quiet, env=env)
for r in requests:
    daemon.stdin.write(json.dumps(r).encode() + b"\\n")
daemon.stdin.flush()
print(daemon.pid, flush=True)
time.sleep(120)
"""


async def spawn_parent(
    tmp: Path, config: str, requests: list[dict[str, Any]], stdout_file: Path | None
) -> tuple[asyncio.subprocess.Process, int]:
    path = tmp / "config.toml"
    path.write_text(config)
    spec = [
        [*DAEMON_CMD, "--config", str(path)],
        isolated_env(tmp),
        None if stdout_file is None else str(stdout_file),
        requests,
    ]
    parent = await asyncio.create_subprocess_exec(
        sys.executable, "-c", PARENT, json.dumps(spec), stdout=asyncio.subprocess.PIPE
    )
    assert parent.stdout is not None
    line = await asyncio.wait_for(parent.stdout.readline(), 15)
    return parent, int(line)


def end_both(parent: asyncio.subprocess.Process, daemon_pid: int) -> None:
    """Cleanup by pid after a failed check (both were started by this test)."""
    if parent.returncode is None:
        parent.kill()
    if not gone(daemon_pid):
        os.kill(daemon_pid, signal.SIGKILL)


async def test_parent_killed_with_work_in_flight_ends_the_daemon(tmp_path: Path) -> None:
    hooks = Hooks(tmp_path)
    async with loopback_provider(default=hang()) as server:
        requests = [run(1, "/sleep 30 x"), run(2, "x", model="hang/m"), run(3, "x", "hooked/m")]
        config = config_text(hooks, server.url)
        parent, daemon_pid = await spawn_parent(tmp_path, config, requests, None)
        try:
            pids = await hooks.started()
            await server.wait_for("m")
            parent.kill()  # SIGKILL: no goodbye, its ends of the pipes just close
            await parent.wait()
            assert await all_gone([daemon_pid], within=5), "the daemon outlived its parent"
            assert await all_gone(pids)
        finally:
            end_both(parent, daemon_pid)
            hooks.kill_leftovers()


async def test_parent_killed_daemon_finishes_short_work_to_its_output_and_exits(
    tmp_path: Path,
) -> None:
    """stdout is a file, so only stdin's end tells the daemon: it answers, then exits."""
    out = tmp_path / "replies.jsonl"
    requests = [run("a", "/sleep 0.5 after the parent"), run("b", "now")]
    parent, daemon_pid = await spawn_parent(tmp_path, "", requests, out)
    try:
        await asyncio.sleep(0.2)
        parent.kill()
        await parent.wait()
        assert await all_gone([daemon_pid], within=5)
    finally:
        end_both(parent, daemon_pid)
    replies = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert replies["a"]["result"]["output"]["content"][0]["text"] == "echo: after the parent"
    assert replies["b"]["result"]["output"]["content"][0]["text"] == "echo: now"


def test_no_stray_children_after_a_normal_session(tmp_path: Path) -> None:
    """A key command that answered is waited for, and what it left running is ended."""
    hooks = Hooks(tmp_path)
    config = config_text(hooks, "http://127.0.0.1:9", hook_seconds=0.0)
    (tmp_path / "config.toml").write_text(config)
    done = subprocess.run(  # the request, then end of input: it is answered, then the exit
        [*DAEMON_CMD, "--config", str(tmp_path / "config.toml")],
        input=json.dumps(run(1, "x", model="hooked/m")) + "\n",
        capture_output=True,
        text=True,
        env=isolated_env(tmp_path),
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    replies = {r["id"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert replies[1]["error"]["data"]["kind"] == "transport"  # the key was got; port 9 refused
    # the hook left a child behind in its process group: ended with the hook
    try:
        assert all(gone(pid) for pid in hooks.pids())
    finally:
        hooks.kill_leftovers()
