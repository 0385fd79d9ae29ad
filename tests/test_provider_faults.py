"""Provider faults through the spawned daemon: a misbehaving loopback server behind an
``openai_compatible`` provider and behind the built-in ``anthropic`` one (base_url override).

Each fault gives the right error kind, or a successful retry, within the configured time, and
the daemon goes on answering other requests while a fault is under way.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.daemon_client import Daemon, isolated_env, run_params, spawn_daemon
from tests.loopback_provider import (
    ANTHROPIC_OK,
    ANTHROPIC_OVERLOADED,
    OPENAI_OK,
    OPENAI_RATE_LIMITED,
    Action,
    LoopbackProvider,
    close_early,
    closed_port,
    drip,
    hang,
    loopback_provider,
    reply,
    reset_mid_body,
)

ANTHROPIC_KEY = "sk-ant-loopback-fault-tests"
HTML_502 = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"
)

# Small timeouts keep the suite fast; `once` never retries, `mock` and `anthropic` do.
CONFIG = """
[providers.once]
type = "openai_compatible"
base_url = "{url}/v1"
timeout = 1.0
max_retries = 0
retry_deadline = 2.0

[providers.mock]
type = "openai_compatible"
base_url = "{url}/v1"
timeout = 1.0
max_retries = 3
retry_deadline = 4.0

[providers.anthropic]
base_url = "{url}"
timeout = 1.0
max_retries = 1
retry_deadline = 3.0

[providers.refused]
type = "openai_compatible"
base_url = "http://127.0.0.1:{closed}/v1"
max_retries = 1
retry_deadline = 3.0

[providers.blackhole]
type = "openai_compatible"
base_url = "http://127.0.0.1:{blackhole}/v1"
timeout = 5.0
connect_timeout = 0.3
max_retries = 0
"""


@dataclass
class Fault:
    """A model on the loopback server, what it does per attempt, and the expected outcome."""

    model: str
    script: list[Action]
    code: int | None  # None: a successful answer
    kind: str | None = None
    attempts: int = 1
    seconds: tuple[float, float] = (0.0, 2.0)  # the reply comes within this window
    message: str | None = None  # a substring of the error message
    data: dict[str, Any] = field(default_factory=dict)


FAULTS = [
    Fault(
        "refused/m",
        [],
        -32023,
        "transport",
        attempts=0,
        seconds=(0.3, 2.0),  # one backoff (0.375-0.5 s), then the second refusal
        message="could not connect",
        data={"retryable": True, "provider": "refused", "status": None},
    ),
    Fault("blackhole/m", [], -32022, "timeout", attempts=0, seconds=(0.25, 2.0)),
    Fault(
        "once/reset",
        [reset_mid_body()],
        -32023,
        "transport",
        message="connection failed while reading",
    ),
    Fault("mock/reset-then-ok", [reset_mid_body(), reply(200, OPENAI_OK)], None, attempts=2),
    Fault(
        "once/closed",
        [close_early()],
        -32023,
        "transport",
        message="the server broke the HTTP protocol",
    ),
    Fault(
        "once/hang",
        [hang()],
        -32022,
        "timeout",
        seconds=(0.9, 2.5),
        message="timed out waiting for the response",
    ),
    Fault(
        # 1 byte every 0.1 s never trips the 1 s read timeout: only the 2 s deadline stops it
        "once/drip",
        [drip(OPENAI_OK, every=0.1)],
        -32022,
        "timeout",
        seconds=(1.9, 3.5),
        message="deadline of 2s",
    ),
    Fault(
        "once/html",
        [reply(200, HTML_502, content_type="text/html")],
        -32024,
        "protocol",
        message="502 Bad Gateway",
    ),
    Fault("once/truncated", [reply(200, json.dumps(OPENAI_OK)[:70])], -32024, "protocol"),
    Fault("once/shape", [reply(200, {"choices": "none", "usage": 3})], -32024, "protocol"),
    Fault("once/array", [reply(200, [OPENAI_OK])], -32024, "protocol"),
    Fault(
        "mock/storm",
        [reply(429, OPENAI_RATE_LIMITED, {"retry-after": "0.1"})],
        -32013,
        "rate_limited",
        attempts=4,
        seconds=(0.3, 2.0),
        message="Rate limit reached",
        data={"retry_after": 0.1, "status": 429, "retryable": True, "provider": "mock"},
    ),
    Fault(
        # a wait past the deadline is not taken: the 429 comes back at once, with its wait
        "mock/storm-long",
        [reply(429, OPENAI_RATE_LIMITED, {"retry-after": "30"})],
        -32013,
        "rate_limited",
        data={"retry_after": 30.0},
    ),
    Fault(
        "mock/5xx-then-ok",
        [
            reply(500, {"error": {"message": "boom", "type": "server_error"}}),  # backoff
            reply(503, "upstream unavailable", {"retry-after": "0"}, "text/plain"),
            reply(529, {"error": {"message": "overloaded"}}, {"retry-after-ms": "20"}),
            reply(200, OPENAI_OK),
        ],
        None,
        attempts=4,
        seconds=(0.3, 2.0),
    ),
    Fault(
        "anthropic/claude-529-then-ok",
        [reply(529, ANTHROPIC_OVERLOADED, {"retry-after": "0"}), reply(200, ANTHROPIC_OK)],
        None,
        attempts=2,
    ),
    Fault(
        "anthropic/claude-overloaded",
        [reply(529, ANTHROPIC_OVERLOADED, {"retry-after": "0", "request-id": "req_529"})],
        -32021,
        "overloaded",
        attempts=2,
        message="Overloaded",
        data={"status": 529, "provider": "anthropic", "request_id": "req_529"},
    ),
    Fault(
        "anthropic/claude-html",
        [reply(200, HTML_502, content_type="text/html")],
        -32024,
        "protocol",
    ),
]


@asynccontextmanager
async def black_hole() -> AsyncIterator[int]:
    """A port whose accept queue is full: connecting to it neither succeeds nor fails."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    filler = socket.socket()
    filler.connect(server.getsockname())  # takes the only slot; later SYNs are dropped
    try:
        yield int(server.getsockname()[1])
    finally:
        filler.close()
        server.close()


@asynccontextmanager
async def daemon_and_provider(
    tmp_path: Path, faults: list[Fault]
) -> AsyncIterator[tuple[Daemon, LoopbackProvider]]:
    script = {f.model.partition("/")[2]: list(f.script) for f in faults if f.script}
    async with (
        loopback_provider(script) as provider,
        black_hole() as blackhole,
    ):
        config = CONFIG.format(url=provider.url, closed=closed_port(), blackhole=blackhole)
        env = isolated_env(tmp_path, ANTHROPIC_API_KEY=ANTHROPIC_KEY)
        async with spawn_daemon(tmp_path, config=config, env=env) as daemon:
            yield daemon, provider


def check(fault: Fault, reply: dict[str, Any], provider: LoopbackProvider) -> None:
    if fault.code is None:
        assert "result" in reply, reply
        assert reply["result"]["output"]["content"][0]["text"] == "loopback says hi"
    else:
        assert "error" in reply, reply
        error = reply["error"]
        assert (error["code"], error["data"]["kind"]) == (fault.code, fault.kind), error
        if fault.message:
            assert fault.message in error["message"]
        for key, value in fault.data.items():
            assert error["data"][key] == value, (key, error)
    attempts = provider.attempts(fault.model.partition("/")[2])
    assert len(attempts) == fault.attempts


def fault_request(fault: Fault, msg_id: str) -> dict[str, Any]:
    params = run_params("hello", model=fault.model, max_output_tokens=50)
    return {"jsonrpc": "2.0", "id": msg_id, "method": "runtime/run", "params": params}


@pytest.mark.parametrize("fault", FAULTS, ids=[f.model for f in FAULTS])
async def test_each_fault_gives_its_kind_in_time(tmp_path: Path, fault: Fault) -> None:
    async with daemon_and_provider(tmp_path, [fault]) as (d, provider):
        await d.request("initialize")
        started = time.monotonic()
        await d.send(fault_request(fault, "fault"))
        # meanwhile the daemon answers others, before the fault resolves when that is slow
        quick = await d.request("runtime/run", run_params("still serving"))
        assert quick["result"]["output"]["content"][0]["text"] == "echo: still serving"
        answer = await d.reply()
        elapsed = time.monotonic() - started
        assert answer["id"] == "fault"
        check(fault, answer, provider)
        low, high = fault.seconds
        assert low <= elapsed <= high, elapsed


async def test_requests_reach_the_server_as_sent(tmp_path: Path) -> None:
    """The loopback fixture itself: the OpenAI-compatible and Anthropic paths and auth."""
    fault = Fault("mock/plain", [reply(200, OPENAI_OK)], None)
    claude = Fault("anthropic/claude-plain", [reply(200, ANTHROPIC_OK)], None)
    async with daemon_and_provider(tmp_path, [fault, claude]) as (d, provider):
        for f in (fault, claude):
            assert "result" in await d.request("runtime/run", fault_request(f, "x")["params"])
    first, second = provider.exchanges
    assert (first.method, first.path, first.json["model"]) == (
        "POST",
        "/v1/chat/completions",
        "plain",
    )
    assert "authorization" not in first.headers  # no key configured, none required
    assert (second.path, second.headers["x-api-key"]) == ("/v1/messages", ANTHROPIC_KEY)
    assert second.headers["anthropic-version"] == "2023-06-01"


async def test_all_faults_at_once_while_other_requests_are_answered(tmp_path: Path) -> None:
    faults = [f for f in FAULTS if not f.model.startswith("blackhole")]
    hanging = Fault("mock/hang-until-cancelled", [hang()], -32800, "cancelled")
    async with daemon_and_provider(tmp_path, [*faults, hanging]) as (d, provider):
        await d.request("initialize")
        started = time.monotonic()
        for n, fault in enumerate([*faults, hanging]):
            await d.send(fault_request(fault, f"f{n}"))
        replies: dict[str, dict[str, Any]] = {}
        # 30 quick calls, answered while the slow faults (hang, drip, storms) are pending
        for i in range(30):
            await d.send(
                {
                    "jsonrpc": "2.0",
                    "id": f"q{i}",
                    "method": "runtime/run",
                    "params": run_params(f"q{i}"),
                }
            )
        while not all(f"q{i}" in replies for i in range(30)):
            message = await d.reply()
            replies[message["id"]] = message
        slow = [f"f{n}" for n, f in enumerate(faults) if f.seconds[0] >= 0.9]
        assert len(slow) == 2 and not any(msg_id in replies for msg_id in slow)
        assert all(
            replies[f"q{i}"]["result"]["output"]["content"][0]["text"] == f"echo: q{i}"
            for i in range(30)
        )
        await provider.wait_for("hang-until-cancelled")
        await d.notify("$/cancelRequest", {"id": f"f{len(faults)}"})
        while len(replies) < 30 + len(faults) + 1:
            message = await d.reply()
            assert message["id"] not in replies  # each request answered exactly once
            replies[message["id"]] = message
        assert time.monotonic() - started < 6.0  # the longest deadline is 4 s
    for n, fault in enumerate(faults):
        reply = replies[f"f{n}"]
        if fault.code is None:
            assert "result" in reply, (fault.model, reply)
        else:
            assert reply["error"]["data"]["kind"] == fault.kind, (fault.model, reply)
    assert replies[f"f{len(faults)}"]["error"]["code"] == -32800
