"""An over-limit ``Content-Length`` against the spawned daemon: refused at once, and it costs that
message only, whether its body never comes or is sent in full (and then never held in memory).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.daemon_client import Daemon, frame, run_params, spawn_daemon
from tests.test_hostile_input import vm_rss

GIB = 1 << 30


def run_frame(msg_id: str) -> bytes:
    message = {
        "jsonrpc": "2.0",
        "id": msg_id,
        "method": "runtime/run",
        "params": run_params(msg_id),
    }
    return frame(message, "content-length")


async def answered(d: Daemon, msg_id: str) -> None:
    reply = await d.reply()
    assert reply["id"] == msg_id, reply
    assert reply["result"]["output"]["content"][0]["text"] == f"echo: {msg_id}"


async def refused(d: Daemon, limit: int) -> None:
    reply = await d.reply()
    assert reply["id"] is None and reply["error"]["code"] == -32600, reply
    assert f"exceeds the limit of {limit} bytes" in reply["error"]["message"]


async def test_a_declared_gigabyte_that_never_comes_costs_only_that_message(
    tmp_path: Path,
) -> None:
    limit = 64 * 1024 * 1024  # the default
    async with spawn_daemon(tmp_path, framing="content-length") as d:
        await d.send_raw(b"Content-Length: %d\r\n\r\n" % GIB)
        await refused(d, limit)
        await d.send_raw(run_frame("next"))
        await answered(d, "next")
        # part of a body, then the client gives up on it and goes on
        await d.send_raw(b"Content-Length: %d\r\n\r\n" % GIB + b'{"jsonrpc": "2.0", "id": "cut", ')
        await refused(d, limit)
        await d.send_raw(run_frame("after the cut"))
        await answered(d, "after the cut")
        assert d.proc.returncode is None


async def test_a_sent_over_limit_json_body_is_skipped_whole_and_never_held(
    tmp_path: Path,
) -> None:
    """Pretty-printed JSON whose strings quote headers: nothing in it looks like the next
    message, so all of it is skipped, streaming past in pieces."""
    limit = 1_000_000
    line = json.dumps({"Content-Length: 12\r\n\r\n{}": "Content-Length: 5"})[1:-1]
    chunk = (("  " + line + ",\n") * (1024 * 1024 // (len(line) + 4))).encode()
    count = 32
    body_head, body_tail = b"{\n", b'  "end": true\n}'
    declared = len(body_head) + count * len(chunk) + len(body_tail)
    async with spawn_daemon(
        tmp_path, "--max-message-bytes", str(limit), framing="content-length"
    ) as d:
        await d.send_raw(run_frame("first"))
        await answered(d, "first")
        before = vm_rss(d.proc.pid)
        await d.send_raw(b"Content-Length: %d\r\n\r\n" % declared + body_head)
        await refused(d, limit)
        peak = 0
        for _ in range(count):
            await d.send_raw(chunk)
            peak = max(peak, vm_rss(d.proc.pid))
        await d.send_raw(body_tail + run_frame("next"))
        await answered(d, "next")  # the very next reply: nothing in the body was read as input
        assert peak - before < 16 * 1024 * 1024, (before, peak)
