"""Credentials never leak: distinctive fake keys for every provider and a key command, every
method and error path driven through the daemon and the CLI, and no key anywhere in what comes
out. Also: the world-readable-config warning reaches the user, and TLS verification is on
unless a provider's config turns it off.
"""

from __future__ import annotations

import asyncio
import json
import ssl
import sys
from pathlib import Path
from typing import Any

import msgspec
import pytest
import trustme

from provider_runtime.assembly import build_runtime
from provider_runtime.config import load_config
from provider_runtime.core.errors import ProviderError
from provider_runtime.core.types import ProviderRequest
from tests.daemon_client import Daemon, isolated_env, run_params, spawn_daemon
from tests.loopback_provider import (
    ANTHROPIC_OK,
    OPENAI_OK,
    Exchange,
    closed_port,
    hang,
    loopback_provider,
    reply,
)

KEYS = {
    "OPENAI_API_KEY": "sk-openai-LEAKCHECK-7f3a9c1e5b2d",
    "ANTHROPIC_API_KEY": "sk-ant-LEAKCHECK-2c8e4a6f0d1b",
    "OPENROUTER_API_KEY": "sk-or-v1-LEAKCHECK-9b1d3f5a7c2e",
    "DOWN_API_KEY": "sk-down-LEAKCHECK-5d7f9b1c3e0a",
    "BADKEY_API_KEY": "sk-bad-LEAKCHECK-8a0c2e4b6d1f\nsecond-line",
}
LITERAL_KEY = "lit-LEAKCHECK-4e6a8c0b2d4f"
HEADER_SECRET = "hdr-LEAKCHECK-6c8e0a2d4b7f"
BAD_HEADER_SECRET = "hdr-LEAKCHECK-0e2a4c6b8d9f"
COMMAND_KEY = "cmd-LEAKCHECK-1a3c5e7b9d0f"
BROKEN_COMMAND_KEY = "brk-LEAKCHECK-3b5d7f9a1c2e"
ALL_SECRETS = [
    *(v.split("\n")[0] for v in KEYS.values()),
    "second-line",
    LITERAL_KEY,
    HEADER_SECRET,
    BAD_HEADER_SECRET,
    COMMAND_KEY,
    BROKEN_COMMAND_KEY,
]
MODELS = ["ok", "quote200", "echo401", "html500"]
SERVED = ["openai", "anthropic", "openrouter", "literal", "hooked"]

CONFIG = """
default_model = "echo/echo-1"

[providers.openai]
base_url = "{url}/v1"
timeout = 1.0
max_retries = 0

[providers.anthropic]
base_url = "{url}"
max_retries = 0

[providers.openrouter]
base_url = "{url}/api/v1"
max_retries = 0

[providers.literal]
type = "openai_compatible"
base_url = "{url}/v1"
api_key = "{literal}"
headers = {{ "X-Api-Token" = "{header}" }}
max_retries = 0

[providers.hooked]
type = "openai_compatible"
base_url = "{url}/v1"
api_key_command = ["{python}", "{hook}"]
max_retries = 0
timeout = 5.0

[providers.brokenhook]
type = "openai_compatible"
base_url = "{url}/v1"
api_key_command = ["{python}", "{broken}"]

[providers.down]
type = "openai_compatible"
base_url = "http://127.0.0.1:{closed}/v1"
api_key_env = "DOWN_API_KEY"
max_retries = 0

[providers.badheader]
type = "openai_compatible"
base_url = "{url}/v1"
headers = {{ "X-Api-Token" = "{bad_header}\\nx" }}
max_retries = 0

[providers.badkey]
type = "openai_compatible"
base_url = "{url}/v1"
api_key_env = "BADKEY_API_KEY"
max_retries = 0
"""


def quoted_headers(ex: Exchange) -> str:
    return "; ".join(f"{name}: {value}" for name, value in ex.headers.items())


async def careless(ex: Exchange, r: asyncio.StreamReader, w: asyncio.StreamWriter) -> bool:
    """A provider that quotes the request's headers (credentials included) wherever it can."""
    anthropic = ex.path.startswith("/v1/messages")
    model = (ex.json or {}).get("model") if ex.method == "POST" else None
    quote = quoted_headers(ex)
    if model == "ok":
        action = reply(200, ANTHROPIC_OK if anthropic else OPENAI_OK)
    elif model == "quote200":
        body = json.loads(json.dumps(ANTHROPIC_OK if anthropic else OPENAI_OK))
        if anthropic:
            body["content"][0]["text"] = f"you sent {quote}"
        else:
            body["choices"][0]["message"]["content"] = f"you sent {quote}"
        action = reply(200, body)
    elif model == "html500":
        page = f"<html><body><h1>500</h1><pre>{quote}</pre></body></html>"
        action = reply(500, page, {"x-request-id": "req-html"}, "text/html")
    elif model == "hang":
        action = hang()
    else:  # echo401, and every model listing
        error = {"message": f"bad credentials in ({quote})", "type": "authentication_error"}
        action = reply(401, {"type": "error", "error": error}, {"request-id": "req-401"})
    return await action(ex, r, w)


def write_config(tmp: Path, url: str) -> Path:
    hook = tmp / "key_hook.py"
    hook.write_text(f"print({COMMAND_KEY!r})\n")
    broken = tmp / "broken_hook.py"
    broken.write_text(
        "import sys\n"
        f"print({BROKEN_COMMAND_KEY!r})\n"
        f"print({BROKEN_COMMAND_KEY!r}, file=sys.stderr)\n"
        "sys.exit(3)\n"
    )
    path = tmp / "config.toml"
    path.write_text(
        CONFIG.format(
            url=url,
            literal=LITERAL_KEY,
            header=HEADER_SECRET,
            bad_header=BAD_HEADER_SECRET,
            python=sys.executable,
            hook=hook,
            broken=broken,
            closed=closed_port(),
        )
    )
    path.chmod(0o644)  # readable by others, with a literal key in it
    return path


def env_for(tmp: Path) -> dict[str, str]:
    return isolated_env(tmp, **KEYS)


def assert_no_secret(text: bytes | str, where: str) -> None:
    data = text.encode() if isinstance(text, str) else bytes(text)
    leaked = [s for s in ALL_SECRETS if s.encode() in data]
    assert not leaked, f"{where} leaks {leaked}"


async def call(d: Daemon, method: str, params: Any = None) -> dict[str, Any]:
    return await d.request(method, params)


async def drive_every_method(d: Daemon) -> dict[str, dict[str, Any]]:
    init = await call(d, "initialize", {"warningNotifications": True})
    out = {"initialize": init}
    for provider in SERVED:
        for model in MODELS:
            out[f"{provider}/{model}"] = await call(
                d, "runtime/run", run_params("hi", model=f"{provider}/{model}")
            )
    for model in ("brokenhook/ok", "down/ok", "badkey/ok", "badheader/ok", "openai/hang"):
        out[model] = await call(d, "runtime/run", run_params("hi", model=model))
    out["models"] = await call(d, "runtime/models", {"remote": True})
    out["catalog"] = await call(d, "runtime/catalog")
    out["reload"] = await call(d, "runtime/reloadConfig")
    # a call cancelled while its key command has answered and the provider hangs
    await d.send(
        {
            "jsonrpc": "2.0",
            "id": "cancel-me",
            "method": "runtime/run",
            "params": run_params("x", model="hooked/hang"),
        }
    )
    await asyncio.sleep(0.3)
    await d.notify("$/cancelRequest", {"id": "cancel-me"})
    out["cancelled"] = await d.reply()
    out["shutdown"] = await call(d, "shutdown")
    await d.notify("exit")
    assert await d.wait() == 0
    return out


def check_outcomes(out: dict[str, dict[str, Any]]) -> None:
    """The paths were really taken: answers, auth errors, masked quotes, warnings."""
    for provider in SERVED:
        assert "result" in out[f"{provider}/ok"], out[f"{provider}/ok"]
        quoted = out[f"{provider}/quote200"]["result"]["output"]["content"][0]["text"]
        assert "you sent" in quoted and "********" in quoted
        auth = out[f"{provider}/echo401"]["error"]
        assert auth["data"]["kind"] == "authentication" and "********" in auth["message"]
        assert out[f"{provider}/html500"]["error"]["data"]["kind"] == "server"
    assert out["brokenhook/ok"]["error"]["data"]["kind"] == "config"
    assert "exit status 3" in out["brokenhook/ok"]["error"]["message"]
    assert out["down/ok"]["error"]["data"]["kind"] == "transport"
    assert out["badkey/ok"]["error"]["data"]["kind"] == "config"
    assert "env BADKEY_API_KEY (set)" in out["badkey/ok"]["error"]["message"]
    # a secret header that cannot be sent: refused by the HTTP client (its trace log scrubbed)
    assert out["badheader/ok"]["error"]["data"]["kind"] == "protocol"
    assert out["openai/hang"]["error"]["data"]["kind"] == "timeout"
    assert out["cancelled"]["error"]["code"] == -32800
    failed = {w["details"]["provider"] for w in out["models"]["result"]["warnings"]}
    assert {"openai", "anthropic", "openrouter", "literal", "hooked"} <= failed
    warnings = [w["code"] for w in out["initialize"]["result"]["warnings"]]
    assert warnings == ["config.insecure_permissions"]
    assert out["reload"]["result"]["warnings"][0]["code"] == "config.insecure_permissions"
    providers = {p["id"]: p["credential"] for p in out["initialize"]["result"]["providers"]}
    assert providers["literal"] == "config file" and providers["hooked"].startswith("command ")


def check_server_saw_the_keys(exchanges: list[Exchange]) -> None:
    """Each key was in use: the test would mean nothing if none had been sent."""
    sent = " ".join(quoted_headers(ex) for ex in exchanges)
    for secret in (
        KEYS["OPENAI_API_KEY"],
        KEYS["ANTHROPIC_API_KEY"],
        KEYS["OPENROUTER_API_KEY"],
        LITERAL_KEY,
        HEADER_SECRET,
        COMMAND_KEY,
    ):
        assert secret in sent, secret


@pytest.mark.parametrize("level", ["debug", "trace"])
async def test_no_key_in_replies_errors_notifications_or_logs(tmp_path: Path, level: str) -> None:
    async with loopback_provider(default=careless) as server:
        config = write_config(tmp_path, server.url)
        async with spawn_daemon(
            tmp_path,
            "--log-level",
            level,
            "--config",
            str(config),
            config=None,
            env=env_for(tmp_path),
        ) as d:
            out = await drive_every_method(d)
        check_outcomes(out)
        check_server_saw_the_keys(server.exchanges)
    assert d.notifications, "warnings were also sent as window/logMessage"
    assert_no_secret(d.stdout_raw, "stdout (replies, errors, window/logMessage)")
    assert_no_secret(d.stderr, f"stderr at --log-level {level}")
    log = d.stderr.decode()
    assert "config.insecure_permissions" in log and "quoted a credential" in log
    if level == "trace":
        # the most verbose logs were on: messages, each exchange, and the HTTP library's own
        assert "--> " in log and "provider_runtime.transport: POST " in log
        assert "httpcore.http11" in log and "send_request_headers" in log


async def run_cli(tmp: Path, *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "provider_runtime",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        stdin=asyncio.subprocess.DEVNULL,
        env=env_for(tmp),
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 30)
    return proc.returncode or 0, out.decode()


async def test_no_key_in_cli_output(tmp_path: Path) -> None:
    async with loopback_provider(default=careless) as server:
        config = str(write_config(tmp_path, server.url))
        runs = await asyncio.gather(
            run_cli(tmp_path, "config", "--config", config),
            run_cli(tmp_path, "config", "--json", "--config", config),
            run_cli(tmp_path, "catalog", "--config", config),
            run_cli(tmp_path, "models", "--remote", "--json", "--config", config),
            run_cli(tmp_path, "run", "--model", "openai/echo401", "hi", "--config", config),
            run_cli(
                tmp_path, "run", "--model", "hooked/quote200", "--json", "hi", "--config", config
            ),
            run_cli(tmp_path, "run", "--model", "brokenhook/ok", "hi", "--config", config),
        )
    for (_, output), name in zip(
        runs,
        ["config", "config --json", "catalog", "models", "run 401", "run quote", "run broken hook"],
        strict=True,
    ):
        assert_no_secret(output, f"`provider-runtime {name}`")
    (human_status, human), (_, as_json) = runs[0], runs[1]
    assert human_status == 0 and "warning: [config.insecure_permissions]" in human
    literal = json.loads(as_json[as_json.index("{") :])["providers"]["literal"]
    assert literal["api_key"] == "********" and literal["headers"]["X-Api-Token"] == "********"
    assert runs[4][0] == 1 and "[authentication]" in runs[4][1] and "********" in runs[4][1]
    assert runs[5][0] == 0 and "********" in runs[5][1]
    assert runs[6][0] == 1 and "exit status 3" in runs[6][1]


# --------------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def certificate_authority() -> trustme.CA:
    return trustme.CA()


async def test_tls_is_verified_unless_a_provider_turns_it_off(
    tmp_path: Path, certificate_authority: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEYS["OPENAI_API_KEY"])
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1").configure_cert(server_context)
    async with loopback_provider(default=reply(200, OPENAI_OK), tls=server_context) as server:
        (tmp_path / "config.toml").write_text(
            f'[providers.openai]\nbase_url = "{server.url}/v1"\nmax_retries = 0\n'
            f'[providers.strict]\ntype = "openai_compatible"\nbase_url = "{server.url}/v1"\n'
            "max_retries = 0\n"
            f'[providers.lax]\ntype = "openai_compatible"\nbase_url = "{server.url}/v1"\n'
            "verify_tls = false\n"
        )
        config = load_config(tmp_path / "config.toml")
        async with build_runtime(config) as runtime:
            for provider in ("openai", "strict"):
                with pytest.raises(ProviderError) as refused:
                    await runtime.run(request(f"{provider}/m"))
                assert refused.value.kind == "transport" and "could not connect" in str(
                    refused.value
                )
            answer = await runtime.run(request("lax/m"))
    assert answer.output.text == "loopback says hi"
    # the refused handshakes never got as far as an HTTP request
    assert [ex.path for ex in server.exchanges] == ["/v1/chat/completions"]


def request(model: str) -> ProviderRequest:
    return msgspec.convert(
        {"model": model, "messages": [{"role": "user", "content": "hi"}]}, ProviderRequest
    )
