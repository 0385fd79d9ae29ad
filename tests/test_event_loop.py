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


@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
def test_files_for_stdin_and_stdout_on_either_loop(tmp_path: Path, loop: str) -> None:
    """`serve < requests.jsonl > replies.jsonl`: no event loop can watch a regular file (uvloop
    0.23 aborted the process when asked to), so both are read and written directly."""
    import json
    import subprocess

    from tests.daemon_client import DAEMON_CMD

    env = _hide_uvloop(tmp_path) if loop == "asyncio" else isolated_env(tmp_path)
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
    assert f"event loop: {loop}" in done.stderr.decode()
    answers = {r["id"]: r for r in map(json.loads, replies.read_text().splitlines())}
    assert [answers[i]["result"]["output"]["content"][0]["text"] for i in (0, 1)] == [
        "echo: one",
        "echo: two",
    ]


@pytest.mark.parametrize("loop", ["uvloop", "asyncio"])
@pytest.mark.parametrize("which", ["stdin", "stdout"])
def test_dev_null_for_stdin_or_stdout_on_either_loop(tmp_path: Path, loop: str, which: str) -> None:
    """A character device (here /dev/null) is not a pipe either: uvloop 0.23 aborted on it.
    With stdin at /dev/null the daemon sees end of input and exits 0; with stdout there, it
    answers into it and exits 0 at end of input."""
    import subprocess

    from tests.daemon_client import DAEMON_CMD

    env = _hide_uvloop(tmp_path) if loop == "asyncio" else isolated_env(tmp_path)
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
    assert f"event loop: {loop}" in done.stderr.decode()
    if which == "stdin":
        assert done.stdout == b""
