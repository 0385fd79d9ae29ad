"""The daemon on both event loops: uvloop's when installed, asyncio's own otherwise.

uvloop is an optional extra (installed for the tests); with it hidden from the daemon's imports
the same daemon must serve the same answers on asyncio's loop. Each run goes through the real
process: JSON-RPC framing on pipes, an HTTP provider on a loopback socket, a malformed message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from provider_runtime.server.daemon import event_loop
from tests.daemon_client import isolated_env, run_params, spawn_daemon
from tests.loopback_provider import loopback_provider

CONFIG = """
[providers.local]
type = "openai_compatible"
base_url = "{url}/v1"
max_retries = 0
"""


def test_uvloop_is_the_loop_when_installed() -> None:
    import uvloop  # in the test install (`.[test]` pulls the `uvloop` extra): never skipped

    assert event_loop() == ("uvloop", uvloop.run)


def _hide_uvloop(tmp_path: Path) -> dict[str, str]:
    """An environment whose `import uvloop` fails, as where the extra is not installed."""
    shadow = tmp_path / "no-uvloop"
    shadow.mkdir()
    (shadow / "uvloop.py").write_text("raise ImportError('uvloop hidden by the test')\n")
    return isolated_env(tmp_path, PYTHONPATH=str(shadow))


@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
async def test_the_daemon_serves_the_same_on_either_loop(tmp_path: Path, loop: str) -> None:
    env = _hide_uvloop(tmp_path) if loop == "asyncio" else isolated_env(tmp_path)
    async with loopback_provider() as provider:
        config = CONFIG.format(url=provider.url)
        async with spawn_daemon(tmp_path, "--log-level", "debug", config=config, env=env) as daemon:
            init = await daemon.request("initialize", {})
            assert "result" in init, init
            await daemon.send_raw(b"{not json}\n")
            assert (await daemon.reply())["error"]["code"] == -32700
            echo = await daemon.request("runtime/run", run_params("hi"))
            remote = await daemon.request("runtime/run", run_params("hi", model="local/mock-model"))
            assert echo["result"]["output"]["content"][0]["text"] == "echo: hi"
            assert remote["result"]["output"]["content"][0]["text"] == "loopback says hi"
            assert (await daemon.request("shutdown"))["result"] is None
            await daemon.notify("exit")
            assert await daemon.wait() == 0
    assert f"event loop: {loop}" in daemon.stderr.decode()


@pytest.mark.parametrize("installed", [True, False])
def test_files_for_stdin_and_stdout_run_on_asyncios_loop(tmp_path: Path, installed: bool) -> None:
    """`serve < requests.jsonl > replies.jsonl`: uvloop 0.23 aborts the process when given a
    regular file, so with files the daemon runs on asyncio's loop, uvloop installed or not."""
    import json
    import subprocess

    from tests.daemon_client import DAEMON_CMD

    env = isolated_env(tmp_path) if installed else _hide_uvloop(tmp_path)
    requests = tmp_path / "requests.jsonl"
    requests.write_text(
        "".join(
            json.dumps({"jsonrpc": "2.0", "id": i, "method": "runtime/run", "params": params})
            + "\n"
            for i, params in enumerate([run_params("one"), run_params("two")])
        )
    )
    replies = tmp_path / "replies.jsonl"
    with requests.open("rb") as stdin, replies.open("wb") as stdout:
        done = subprocess.run(
            [*DAEMON_CMD, "--log-level", "debug"],
            stdin=stdin,
            stdout=stdout,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "event loop: asyncio" in done.stderr.decode()
    answers = {r["id"]: r for r in map(json.loads, replies.read_text().splitlines())}
    assert [answers[i]["result"]["output"]["content"][0]["text"] for i in (0, 1)] == [
        "echo: one",
        "echo: two",
    ]


@pytest.mark.parametrize("which", ["stdin", "stdout"])
def test_dev_null_for_stdin_or_stdout(tmp_path: Path, which: str) -> None:
    """A character device is not a pipe either (uvloop 0.23 aborted on /dev/null): asyncio's
    loop serves. With stdin at /dev/null the daemon sees end of input and exits 0; with stdout
    there, it answers into it and exits 0 at end of input."""
    import subprocess

    from tests.daemon_client import DAEMON_CMD

    env = isolated_env(tmp_path)
    request = b'{"jsonrpc":"2.0","id":1,"method":"runtime/run","params":'
    request += b'{"model":"echo/echo-1","messages":[{"role":"user","content":"hi"}]}}\n'
    with open("/dev/null", "r+b") as null:
        done = subprocess.run(
            [*DAEMON_CMD, "--log-level", "debug"],
            stdin=null if which == "stdin" else None,
            input=None if which == "stdin" else request,
            stdout=null if which == "stdout" else subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            timeout=60,
        )
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert "event loop: asyncio" in done.stderr.decode()
    if which == "stdin":
        assert done.stdout == b""


def test_a_terminal_is_served_and_exit_ends_the_daemon(tmp_path: Path) -> None:
    """Typing requests by hand: stdin and stdout on a terminal (a pseudo-terminal here). uvloop
    reads nothing from one, so asyncio's loop serves; `exit` after `shutdown` ends the daemon."""
    import os
    import pty
    import select
    import subprocess
    import time

    from tests.daemon_client import DAEMON_CMD

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [*DAEMON_CMD, "--log-level", "debug"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=isolated_env(tmp_path),
        close_fds=True,
    )
    os.close(slave)
    seen = b""
    try:
        os.write(master, json_line(1, "runtime/run", run_params("hi")))
        os.write(master, json_line(2, "shutdown", None) + b'{"jsonrpc":"2.0","method":"exit"}\n')
        deadline = time.monotonic() + 30
        while proc.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    seen += os.read(master, 65536)
                except OSError:  # the daemon closed the terminal
                    break
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert b"event loop: asyncio" in seen
    assert b"echo: hi" in seen and b'"id":2,"result":null' in seen


def json_line(msg_id: int, method: str, params: object) -> bytes:
    import json

    message: dict[str, object] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
    if params is not None:
        message["params"] = params
    return json.dumps(message, separators=(",", ":")).encode() + b"\n"
