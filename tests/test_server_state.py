"""RuntimeHolder: lazy build, reload semantics (in-flight calls keep their runtime), closing."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from provider_runtime.assembly import build_runtime
from provider_runtime.config import RuntimeConfig, describe_providers, load_config
from provider_runtime.core.errors import ConfigError, ProviderRuntimeError
from provider_runtime.server.state import RuntimeHolder


class FakeRuntime:
    def __init__(self, name: str) -> None:
        self.name = name
        self.closed = False

    def describe_providers(self) -> list[dict[str, Any]]:
        return [{"id": self.name}]

    async def aclose(self) -> None:
        self.closed = True


class Fixture:
    """Configs come from a list of outcomes; each build makes a FakeRuntime (or raises)."""

    def __init__(self) -> None:
        self.configs: list[RuntimeConfig | Exception] = []
        self.builds: list[FakeRuntime] = []
        self.fail_build = False

    def load(self, path: str | None) -> RuntimeConfig:
        outcome = self.configs.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def build(self, config: RuntimeConfig) -> Any:
        if self.fail_build:
            raise ValueError("adapter exploded")
        runtime = FakeRuntime(f"rt{len(self.builds) + 1}")
        self.builds.append(runtime)
        return runtime

    def holder(self) -> RuntimeHolder:
        return RuntimeHolder("cfg.toml", self.load, self.build)


def config(default_model: str | None = None) -> RuntimeConfig:
    return RuntimeConfig(providers={}, default_model=default_model)


async def test_the_runtime_is_built_on_first_use_or_warm_up_only() -> None:
    f = Fixture()
    f.configs = [config("echo/echo-lite")]
    holder = f.holder()
    holder.load()
    assert f.builds == []
    assert holder.describe()["defaultModel"] == "echo/echo-lite"
    async with holder.use() as runtime:
        assert runtime is f.builds[0]
    holder.warm()
    assert len(f.builds) == 1  # built once


async def test_reload_swaps_and_in_flight_calls_keep_their_runtime() -> None:
    f = Fixture()
    f.configs = [config(), config()]
    holder = f.holder()
    holder.load()
    entered, release = asyncio.Event(), asyncio.Event()

    async def long_call() -> FakeRuntime:
        async with holder.use() as runtime:
            entered.set()
            await release.wait()
            return runtime  # type: ignore[return-value]

    call = asyncio.ensure_future(long_call())
    await entered.wait()
    await holder.reload()
    first, second = f.builds
    assert not first.closed  # still serving the call in flight
    async with holder.use() as runtime:
        assert runtime is second
    release.set()
    assert await call is first
    assert first.closed and not second.closed


async def test_failed_reload_keeps_the_previous_runtime() -> None:
    f = Fixture()
    f.configs = [config("a/b"), ConfigError("bad", path="cfg.toml", key="x")]
    holder = f.holder()
    holder.load()
    holder.warm()
    with pytest.raises(ConfigError):
        await holder.reload()
    assert holder.error is not None and holder.describe()["defaultModel"] == "a/b"
    async with holder.use() as runtime:
        assert runtime is f.builds[0]


async def test_a_runtime_that_cannot_be_built_keeps_the_old_one_on_reload() -> None:
    f = Fixture()
    f.configs = [config("old/model"), config("new/model")]
    holder = f.holder()
    holder.load()
    holder.warm()
    f.fail_build = True
    with pytest.raises(ProviderRuntimeError, match="could not build the runtime: ValueError"):
        await holder.reload()
    assert holder.describe()["defaultModel"] == "old/model" and not f.builds[0].closed


async def test_an_unusable_file_at_start_leaves_the_echo_provider_alone() -> None:
    f = Fixture()
    f.configs = [ConfigError("broken file", path="cfg.toml"), ConfigError("still broken")]
    holder = f.holder()
    with pytest.raises(ConfigError):
        holder.load()
    assert holder.error is not None and "broken file" in str(holder.error)
    fallback = holder.current
    assert fallback is not None and list(fallback.config.providers) == ["echo"]
    [problem] = fallback.config.problems
    assert (problem.scope, problem.problem) == ("file", "broken file")
    async with holder.use() as runtime:
        assert runtime is f.builds[0]
    # a reload that fails again replaces the fallback: calls get the newer error
    with pytest.raises(ConfigError):
        await holder.reload()
    assert holder.current is not fallback and f.builds[0].closed
    assert holder.current is not None
    assert holder.current.config.problems[0].problem == "still broken"


async def test_aclose_closes_the_built_runtime() -> None:
    f = Fixture()
    f.configs = [config()]
    holder = f.holder()
    holder.load()
    holder.warm()
    await holder.aclose()
    assert f.builds[0].closed


async def test_describe_from_config_matches_the_runtime(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    path = tmp_path / "config.toml"
    path.write_text(
        "[providers.local]\n"
        'type = "openai_compatible"\n'
        'base_url = "http://127.0.0.1:9/v1"\n'
        'api_key_command = ["pass", "show", "local"]\n'
        "[providers.openrouter]\n"
        'api_key = "sk-or-literal"\n'
    )
    path.chmod(0o600)
    cfg = load_config(path)
    async with build_runtime(cfg) as runtime:
        expected = runtime.describe_providers()
    assert describe_providers(cfg) == expected
    assert "sk-" not in repr(expected)


_STARTUP_PROBE = """
import asyncio, json, sys
from provider_runtime.catalog.static import load_static_catalog
from provider_runtime.server.handlers import Session, initialize, run
from provider_runtime.server.state import RuntimeHolder
import msgspec

def loaded():
    names = [m for m in sys.modules if m.startswith("provider_runtime.providers.")
             or m.split(".")[0] in ("botocore", "pygls", "lsprotocol", "cattrs", "httpx")
             or m in ("provider_runtime.runtime", "provider_runtime.transport.http")]
    return {"modules": sorted(names), "catalog": load_static_catalog.cache_info().currsize}

async def main():
    holder = RuntimeHolder(None)
    holder.load()
    session = Session(holder)
    result = await initialize(session, None)
    at_initialize = loaded()
    holder.warm()  # what the daemon does just after the initialize answer
    at_warm = loaded()
    request = {"model": "echo/echo-1", "messages": [{"role": "user", "content": "hi"}]}
    answer = await run(session, msgspec.Raw(json.dumps(request).encode()))
    at_echo = loaded()
    providers = [p["id"] for p in result["providers"]]
    print(json.dumps({"providers": providers, "text": answer.output.content[0].text,
                      "initialize": at_initialize, "warm": at_warm, "echo": at_echo}))

asyncio.run(main())
"""


def test_start_up_loads_no_provider_before_a_call_needs_it(tmp_path: Path) -> None:
    """At ``initialize``: no runtime, no provider module, no botocore, no httpx, no catalog
    JSON, nothing of pygls. After the warm-up and a first ``echo`` call: the runtime and the
    catalog (every call routes through them), still no HTTP provider's modules, no botocore and
    no httpx. Every built-in provider is registered (no config file: the defaults)."""
    import subprocess
    import sys

    env = {"PATH": "/usr/bin:/bin", "XDG_CONFIG_HOME": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", _STARTUP_PROBE], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["providers"] == ["anthropic", "bedrock", "echo", "google", "openai", "openrouter"]
    assert seen["text"] == "echo: hi"
    # The config's schema for OpenAI-compatible quirks is the only thing read from providers/
    # before a call (config validates `[providers.*.quirks]` tables against it).
    config_schema = [
        "provider_runtime.providers.openai",
        "provider_runtime.providers.openai.quirks",
    ]
    assert seen["initialize"] == {"modules": config_schema, "catalog": 0}
    assert seen["warm"]["catalog"] in (0, 1)
    echo = seen["echo"]
    assert echo["catalog"] == 1  # echo prices its answer from the catalog
    assert "provider_runtime.runtime" in echo["modules"]
    http_providers = [
        m
        for m in echo["modules"]
        if m.startswith("provider_runtime.providers.")
        and m not in config_schema
        and not m.startswith("provider_runtime.providers.echo")
        and m.rsplit(".", 1)[-1] not in ("cache", "errors", "warnings", "ratelimit")
    ]
    assert http_providers == []
    assert [m for m in echo["modules"] if m.split(".")[0] in ("botocore", "httpx")] == []
    assert "provider_runtime.transport.http" not in echo["modules"]
