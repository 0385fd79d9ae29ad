"""End-to-end over raw bytes: the spawned daemon, each method, each error path, the lifecycle."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest

from provider_runtime.core.types import ProviderResponse
from tests.daemon_client import DAEMON_CMD, frame, isolated_env, run_params, spawn_daemon

PRICED = (
    '[[pricing]]\nprovider = "echo"\nmodel = "echo-1"\npricing = { input = "1", output = "2" }\n'
)
SECRET = "sk-test-DO-NOT-LEAK-4f1d2c"


async def test_initialize_describes_server_and_providers_without_secrets(tmp_path: Path) -> None:
    env = isolated_env(tmp_path, OPENAI_API_KEY=SECRET)
    async with spawn_daemon(tmp_path, config='default_model = "echo/echo-lite"\n', env=env) as d:
        reply = await d.request("initialize", {"processId": None, "capabilities": {}})
        result = reply["result"]
        assert result["serverInfo"]["name"] == "provider-runtime"
        assert result["serverInfo"]["version"]
        assert result["protocolVersion"] == "1"
        assert {"runtime/run", "runtime/models", "runtime/catalog", "runtime/reloadConfig"} <= set(
            result["methods"]
        )
        providers = {p["id"]: p for p in result["providers"]}
        assert providers["echo"]["credential"] == "none"
        assert providers["openai"]["credential"] == "env OPENAI_API_KEY (set)"
        assert "not set" in providers["anthropic"]["credential"]
        assert result["defaultModel"] == "echo/echo-lite"
        assert result["configError"] is None
        assert result["limits"]["maxMessageBytes"] == 64 * 1024 * 1024
        assert SECRET.encode() not in d.stdout_raw


@pytest.mark.parametrize("framing", ["lines", "content-length"])
async def test_run_answers_in_the_framing_it_was_spoken_to(tmp_path: Path, framing: str) -> None:
    text = 'héllo ✓ 😀 "quoted" \\ back\nslash'
    async with spawn_daemon(tmp_path, framing=framing) as d:
        reply = await d.request("runtime/run", run_params(text), msg_id="r-1")
        response = msgspec.convert(reply["result"], ProviderResponse)
        assert response.output.text == f"echo: {text}"
        assert response.provider == "echo" and response.model == "echo-1"
        assert response.usage.input_tokens == 4 + (len(text) + 3) // 4
        assert response.warnings == []  # echo's own models are priced at $0 by the catalog
        assert response.cost is not None and response.cost.total == 0
        assert response.cost.source.value == "catalog"
        assert response.cost.snapshot == "echo built-in models"
        if framing == "lines":
            assert d.stdout_raw.count(b"\n") == 1 and not d.stdout_raw.startswith(b"Content")
        else:
            assert d.stdout_raw.startswith(b"Content-Length: ")


async def test_forced_framing_flag(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path, "--framing", "content-length", framing="lines") as d:
        await d.send_raw(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize"}, "lines"))
        await d.send_raw(b"\n")  # a JSON line read as a header block is unreadable
        d.framing = "content-length"
        reply = await d.recv()
        assert reply["error"]["code"] == -32700 and reply["id"] is None
        assert (await d.request("runtime/catalog", msg_id=2))["result"]["models"]


async def test_run_with_tool_and_priced_config(tmp_path: Path) -> None:
    tool = {"name": "get_weather", "parameters": {"type": "object", "properties": {}}}
    params = run_params('/tool get_weather {"city": "Paris"}', tools=[tool])
    async with spawn_daemon(tmp_path, config=PRICED) as d:
        result = (await d.request("runtime/run", params))["result"]
    (call,) = result["output"]["content"]
    assert call["type"] == "tool_call" and call["arguments"] == {"city": "Paris"}
    assert result["finish_reason"] == "tool_calls"
    usage = result["usage"]
    expected = usage["input_tokens"] * 1 / 1e6 + usage["output_tokens"] * 2 / 1e6
    assert result["cost"]["source"] == "user_config"
    assert float(result["cost"]["total"]) == pytest.approx(expected)
    assert result["warnings"] == []


async def test_models_and_catalog_with_missing_null_or_empty_params(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        for params in (None, {}):
            models = (await d.request("runtime/models", params))["result"]
            ids = {(m["provider"], m["id"]) for m in models["models"]}
            assert {("echo", "echo-1"), ("echo", "echo-lite")} <= ids
            prices = [m["pricing"] for m in models["models"] if m["provider"] == "echo"]
            assert [(p["input"], p["output"]) for p in prices] == [("0", "0"), ("0", "0")]
            assert ("openai", "gpt-4o") in ids
        await d.send({"jsonrpc": "2.0", "id": "m", "method": "runtime/models", "params": None})
        assert (await d.reply())["result"]["models"]
        only = await d.request("runtime/models", {"providers": ["echo"], "remote": True})
        assert [m["id"] for m in only["result"]["models"]] == ["echo-1", "echo-lite"]
        assert only["result"]["warnings"] == []
        catalog = (await d.request("runtime/catalog"))["result"]
        assert catalog["snapshot"] and len(catalog["models"]) > 100
        echo = next(m for m in catalog["models"] if m["provider"] == "echo")
        assert echo["capabilities"]["tools"] is True and echo["pricing"]["output"] == "0"


async def test_models_lists_gemini_and_bedrock_entries_of_the_catalog(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        params = {"providers": ["google", "bedrock"]}
        result = (await d.request("runtime/models", params))["result"]
        models = {(m["provider"], m["id"]): m for m in result["models"]}
        flash = models[("google", "gemini-2.5-flash")]
        assert flash["pricing"]["input"] == "0.3" and flash["capabilities"]["reasoning"] is True
        assert flash["capabilities"]["reasoning_modes"] == ["budget"]
        sonnet = models[("bedrock", "global.anthropic.claude-sonnet-4-5-20250929-v1:0")]
        assert (sonnet["pricing"]["input"], sonnet["pricing"]["output"]) == ("3", "15")
        assert ("bedrock", "us.anthropic.claude-sonnet-4-5-20250929-v1:0") in models
        assert ("bedrock", "amazon.nova-pro-v1:0") in models
        assert not any(p == "google" and i.startswith("claude") for p, i in models)


async def test_remote_discovery_failures_are_warnings(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        result = (await d.request("runtime/models", {"remote": True, "providers": ["openai"]}))[
            "result"
        ]
    assert [w["code"] for w in result["warnings"]] == ["discovery.failed"]
    assert "OPENAI_API_KEY" in result["warnings"][0]["message"]


async def test_protocol_errors_and_the_daemon_keeps_serving(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        await d.send_raw(b'{"jsonrpc": "2.0", "id": 1, "method": \n')
        assert (await d.reply())["error"]["code"] == -32700
        await d.send({"jsonrpc": "1.0", "id": 2, "method": "runtime/run"})
        assert (await d.reply())["error"]["code"] == -32600
        assert (await d.request("runtime/nothing", msg_id=3))["error"]["code"] == -32601
        bad = run_params("hi")
        bad["messages"][0]["content"] = [{"type": "text", "text": 5}]
        err = (await d.request("runtime/run", bad))["error"]
        assert err["code"] == -32602
        assert err["data"]["path"] == "params.messages[0].content[0].text"
        assert "`params.messages[0].content[0].text`" in err["message"]
        missing = (await d.request("runtime/run"))["error"]
        assert missing["code"] == -32602 and missing["data"]["path"] == "params"
        ok = await d.request("runtime/run", run_params("still here"))
        assert ok["result"]["output"]["content"][0]["text"] == "echo: still here"


async def test_runtime_error_kinds_map_to_codes_and_data(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        limited = (await d.request("runtime/run", run_params("/error rate_limited wait")))["error"]
        assert limited["code"] == -32013
        assert {k: limited["data"][k] for k in ("kind", "retryable", "provider", "status")} == {
            "kind": "rate_limited",
            "retryable": True,
            "provider": "echo",
            "status": 429,
        }
        assert limited["data"]["retry_after"] == 1.0
        routing = (await d.request("runtime/run", run_params("x", model="nowhere/model")))["error"]
        assert routing["code"] == -32002 and routing["data"]["kind"] == "routing"
        assert routing["data"]["status"] is None and routing["data"]["retryable"] is False
        auth = (await d.request("runtime/run", run_params("x", model="openai/gpt-4o")))["error"]
        assert auth["code"] == -32001 and "OPENAI_API_KEY" in auth["message"]


async def test_batch_over_the_wire(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        await d.send(
            [
                {"jsonrpc": "2.0", "id": 1, "method": "runtime/run", "params": run_params("a")},
                {"jsonrpc": "2.0", "method": "initialized", "params": {}},
                {"jsonrpc": "2.0", "id": 2, "method": "unknown"},
            ]
        )
        batch = await d.reply()
    assert isinstance(batch, list) and sorted(r["id"] for r in batch) == [1, 2]


async def test_oversized_messages_are_refused_and_the_daemon_goes_on(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path, "--max-message-bytes", "2000") as d:
        big = json.dumps(run_params("x" * 5000)).encode()
        await d.send_raw(big + b"\n")
        err = (await d.reply())["error"]
        assert err["code"] == -32600 and "exceeds the limit of 2000 bytes" in err["message"]
        assert (await d.request("runtime/run", run_params("small")))["result"]
    async with spawn_daemon(tmp_path, "--max-message-bytes", "2000", framing="x") as d:
        d.framing = "content-length"
        await d.send_raw(b"Content-Length: 100000\r\n\r\n" + b"z" * 3000)
        assert (await d.reply())["error"]["code"] == -32600  # refused before the body arrives
        await d.send_raw(b"z" * 97000)  # the rest of the refused body is skipped
        assert (await d.request("runtime/run", run_params("after")))["result"]


async def test_ten_megabyte_request_is_served(tmp_path: Path) -> None:
    text = "word " * (2 * 1024 * 1024)
    async with spawn_daemon(tmp_path, config="[[models]]\nprovider='echo'\nid='big'\n") as d:
        reply = await d.request("runtime/run", run_params(text, model="echo/big"), within=30)
    assert reply["result"]["usage"]["input_tokens"] == 4 + (len(text) + 3) // 4


async def test_warnings_also_come_as_log_messages_when_asked(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        await d.request("initialize", {"warningNotifications": True})
        await d.request("runtime/run", run_params("hi"))  # priced at $0: nothing to warn
        assert d.notifications == []
        await d.request("runtime/run", run_params("hi", "echo/echo-unpriced"))
        (note,) = d.notifications
        assert note["method"] == "window/logMessage"
        assert note["params"]["type"] == 2 and "[pricing.missing]" in note["params"]["message"]


async def test_reload_config_swaps_the_runtime_and_keeps_it_on_errors(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:

        async def cost_source() -> str:
            return str(
                (await d.request("runtime/run", run_params("a")))["result"]["cost"]["source"]
            )

        assert await cost_source() == "catalog"  # echo-1's own $0 price
        (tmp_path / "config.toml").write_text(PRICED)
        reloaded = (await d.request("runtime/reloadConfig"))["result"]
        assert reloaded["configPath"].endswith("config.toml")
        assert await cost_source() == "user_config"  # the new config's rule now prices it
        (tmp_path / "config.toml").write_text("providers = [\n")
        err = (await d.request("runtime/reloadConfig"))["error"]
        assert err["code"] == -32001 and err["data"]["kind"] == "config"
        assert await cost_source() == "user_config"  # the previous runtime is kept


async def test_broken_config_at_start_is_reported_and_fixable(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path, config="default_model = [\n") as d:
        init = (await d.request("initialize"))["result"]
        assert init["configError"]["code"] == -32001
        assert [p["id"] for p in init["providers"]] == ["echo"]  # echo alone still serves
        openai = run_params("a", "openai/gpt-4o")
        assert (await d.request("runtime/run", openai))["error"]["code"] == -32001
        (tmp_path / "config.toml").write_text("")
        assert (await d.request("runtime/reloadConfig"))["result"]["providers"]
        assert (await d.request("runtime/run", run_params("a")))["result"]


async def test_shutdown_then_exit_is_status_0(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        assert (await d.request("shutdown"))["result"] is None
        refused = await d.request("runtime/run", run_params("late"))
        assert refused["error"]["code"] == -32600
        await d.notify("exit")
        assert await d.wait() == 0


async def test_exit_without_shutdown_is_status_1(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        await d.notify("exit")
        assert await d.wait() == 1


async def test_stdin_eof_finishes_requests_in_flight_then_exits_0(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        await d.send(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "runtime/run",
                "params": run_params("/sleep 0.5 z"),
            }
        )
        await d.close_stdin()
        reply = await d.reply()
        assert reply["result"]["output"]["content"][0]["text"] == "echo: z"
        assert await d.wait() == 0


async def test_sigterm_stops_promptly_and_cleanly(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path) as d:
        await d.request("initialize")
        await d.send(
            {"jsonrpc": "2.0", "id": 9, "method": "runtime/run", "params": run_params("/sleep 30")}
        )
        await asyncio.sleep(0.2)
        started = time.monotonic()
        d.proc.send_signal(signal.SIGTERM)
        reply = await d.reply()
        assert reply["id"] == 9 and reply["error"]["code"] == -32800
        assert await d.wait() == 0
        assert time.monotonic() - started < 5


def test_client_closing_stdout_ends_the_daemon(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [*DAEMON_CMD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=isolated_env(tmp_path),
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(b'{"jsonrpc": "2.0", "id": 1, "method": "initialize"}\n')
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["id"] == 1
        proc.stdout.close()  # the client stops reading; stdin stays open
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


async def test_logs_go_to_stderr_and_trace_never_touches_stdout(tmp_path: Path) -> None:
    async with spawn_daemon(tmp_path, "--log-level", "trace") as d:
        await d.request("runtime/run", run_params("traced"))
        await d.send_raw(b"not json\n")
        await d.reply()
        await d.close_stdin()
        assert await d.wait() == 0
    log = d.stderr.decode()
    assert "<-- " in log and "--> " in log and "unreadable" not in log  # parse errors: -32700
    for line in d.stdout_raw.splitlines():
        json.loads(line)  # stdout holds protocol messages only


def test_make_run_demo_session_succeeds() -> None:
    script = Path(__file__).resolve().parent.parent / "scripts" / "demo_session.py"
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "daemon exited with status 0" in done.stdout
    assert "capability.tools_removed" in done.stdout and "-32002" in done.stdout
    assert "pricing.missing" in done.stdout  # shown on the unlisted id, echo/echo-unpriced
