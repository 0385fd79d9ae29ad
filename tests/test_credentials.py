"""ConfigTokenProvider: key command hook, literal key, env var; caching, timeouts, messages."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

import pytest

from provider_runtime.config import OpenAICompatQuirks, ProviderConfig, RuntimeConfig, load_config
from provider_runtime.core.errors import ConfigError
from provider_runtime.core.traits import TokenProvider
from provider_runtime.core.types import Secret
from provider_runtime.credentials import ConfigTokenProvider

PY = sys.executable


def runtime(**providers: ProviderConfig) -> RuntimeConfig:
    """The built-in defaults plus the given providers."""
    base = load_config(env={})
    return RuntimeConfig(providers={**base.providers, **providers})


def compat(**kwargs: object) -> ProviderConfig:
    return ProviderConfig(type="openai_compatible", base_url="http://localhost:1/v1", **kwargs)  # type: ignore[arg-type]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# A command that counts its runs in a file and prints "key-<run number>".
COUNTING = (
    "import pathlib, sys, time\n"
    "p = pathlib.Path(sys.argv[1])\n"
    "n = len(p.read_text().splitlines()) + 1 if p.exists() else 1\n"
    "p.write_text('run\\n' * n)\n"
    "time.sleep(float(sys.argv[2]))\n"
    "print(f'  key-{n}  ')\n"
)


def counting(tmp_path: Path, delay: float = 0.0) -> list[str]:
    return [PY, "-c", COUNTING, str(tmp_path / "runs"), str(delay)]


def runs(tmp_path: Path) -> int:
    path = tmp_path / "runs"
    return len(path.read_text().splitlines()) if path.exists() else 0


async def token(tp: ConfigTokenProvider, provider: str) -> str | None:
    secret = await tp.get_token(provider)
    return None if secret is None else secret.reveal()


# --------------------------------------------------------------------------- sources and order


async def test_env_var_of_a_built_in() -> None:
    tp = ConfigTokenProvider(runtime(), env={"OPENAI_API_KEY": " sk-env \n"})
    secret = await tp.get_token("openai")
    assert isinstance(secret, Secret)
    assert secret.reveal() == "sk-env"
    assert tp.credential_source("openai") == "env OPENAI_API_KEY (set)"
    assert isinstance(tp, TokenProvider)


async def test_configured_env_var_name() -> None:
    config = runtime(anthropic=ProviderConfig(type="anthropic", api_key_env="WORK_KEY"))
    tp = ConfigTokenProvider(config, env={"WORK_KEY": "sk-work", "ANTHROPIC_API_KEY": "sk-default"})
    assert await token(tp, "anthropic") == "sk-work"


async def test_literal_beats_env_and_command_beats_literal(tmp_path: Path) -> None:
    env = {"OPENAI_API_KEY": "from-env"}
    literal = runtime(
        openai=ProviderConfig(type="openai", api_key="from-file", api_key_env="OPENAI_API_KEY")
    )
    assert await token(ConfigTokenProvider(literal, env=env), "openai") == "from-file"
    both = runtime(
        openai=ProviderConfig(
            type="openai",
            api_key="from-file",
            api_key_env="OPENAI_API_KEY",
            api_key_command=counting(tmp_path),
        )
    )
    tp = ConfigTokenProvider(both, env=env)
    assert await token(tp, "openai") == "key-1"
    assert tp.credential_source("openai").startswith('command "')


async def test_providers_without_a_key() -> None:
    tp = ConfigTokenProvider(runtime(local=compat()), env={})
    assert await tp.get_token("echo") is None
    assert await tp.get_token("local") is None
    assert tp.credential_source("local") == "none"
    with_env = ConfigTokenProvider(
        runtime(local=compat(api_key_env="LOCAL_KEY")), env={"LOCAL_KEY": "k"}
    )
    assert await token(with_env, "local") == "k"


@pytest.mark.parametrize(
    ("provider", "variable"),
    [
        ("openai", "OPENAI_API_KEY"),
        ("anthropic", "ANTHROPIC_API_KEY"),
        ("openrouter", "OPENROUTER_API_KEY"),
    ],
)
async def test_missing_key_names_the_env_var_and_hook(provider: str, variable: str) -> None:
    tp = ConfigTokenProvider(runtime(), env={variable: "   "})
    with pytest.raises(ConfigError) as info:
        await tp.get_token(provider)
    hook = f"providers.{provider}.api_key_command"
    assert str(info.value) == f"no credential for provider `{provider}`: set {variable} or {hook}"


async def test_missing_key_for_a_compatible_server_that_requires_one() -> None:
    config = runtime(vllm=compat(quirks=OpenAICompatQuirks(requires_api_key=True)))
    with pytest.raises(
        ConfigError, match=r"providers\.vllm\.api_key_env or providers\.vllm\.api_key_command"
    ):
        await ConfigTokenProvider(config, env={}).get_token("vllm")
    named = runtime(
        vllm=compat(api_key_env="VLLM_KEY", quirks=OpenAICompatQuirks(requires_api_key=True))
    )
    with pytest.raises(ConfigError, match=r"set VLLM_KEY or providers\.vllm\.api_key_command"):
        await ConfigTokenProvider(named, env={}).get_token("vllm")


async def test_unknown_provider() -> None:
    with pytest.raises(ConfigError, match="no provider `nope`"):
        await ConfigTokenProvider(runtime(), env={}).get_token("nope")


# --------------------------------------------------------------------------- the command hook


async def test_command_output_is_stripped_and_cached(tmp_path: Path) -> None:
    clock = Clock()
    config = runtime(w=compat(api_key_command=counting(tmp_path), api_key_cache_seconds=300))
    tp = ConfigTokenProvider(config, env={}, clock=clock)
    assert await token(tp, "w") == "key-1"
    clock.now += 299
    assert await token(tp, "w") == "key-1"
    assert runs(tmp_path) == 1
    clock.now += 1
    assert await token(tp, "w") == "key-2"
    assert runs(tmp_path) == 2


async def test_zero_cache_runs_every_time(tmp_path: Path) -> None:
    config = runtime(w=compat(api_key_command=counting(tmp_path), api_key_cache_seconds=0))
    tp = ConfigTokenProvider(config, env={}, clock=Clock())
    assert [await token(tp, "w") for _ in range(3)] == ["key-1", "key-2", "key-3"]


async def test_concurrent_callers_share_one_run(tmp_path: Path) -> None:
    config = runtime(w=compat(api_key_command=counting(tmp_path, delay=0.3)))
    tp = ConfigTokenProvider(config, env={})
    keys = await asyncio.gather(*(token(tp, "w") for _ in range(5)))
    assert keys == ["key-1"] * 5
    assert runs(tmp_path) == 1


async def test_a_cancelled_caller_does_not_cancel_the_shared_run(tmp_path: Path) -> None:
    config = runtime(w=compat(api_key_command=counting(tmp_path, delay=0.3)))
    tp = ConfigTokenProvider(config, env={})
    first = asyncio.create_task(token(tp, "w"))
    second = asyncio.create_task(token(tp, "w"))
    await asyncio.sleep(0.05)
    first.cancel()
    assert await second == "key-1"
    assert first.cancelled()
    assert runs(tmp_path) == 1


def alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    if stat.parent.parent.exists() and Path("/proc/self").exists():
        try:
            state = stat.read_text().rsplit(")", 1)[1].split()[0]
        except FileNotFoundError:
            return False
        return state not in ("Z", "X")  # a zombie is dead, only not yet reaped by its new parent
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


HANGS = (
    "import subprocess, sys, time, pathlib\n"
    "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
    "pathlib.Path(sys.argv[1]).write_text(f'{child.pid} ' + str(__import__('os').getpid()))\n"
    "time.sleep(60)\n"
)


@pytest.mark.skipif(os.name != "posix", reason="process groups")
async def test_timeout_kills_the_command_and_its_children(tmp_path: Path) -> None:
    pids_file = tmp_path / "pids"
    config = runtime(
        w=compat(api_key_command=[PY, "-c", HANGS, str(pids_file)], api_key_command_timeout=1.5)
    )
    started = time.monotonic()
    with pytest.raises(ConfigError, match=r"providers\.w\.api_key_command timed out after 1.5s"):
        await ConfigTokenProvider(config, env={}).get_token("w")
    assert time.monotonic() - started < 10
    pids = [int(p) for p in pids_file.read_text().split()]
    assert len(pids) == 2
    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    assert not any(alive(p) for p in pids)


async def test_failure_does_not_echo_the_output(tmp_path: Path) -> None:
    script = (
        "import sys; print('sk-LEAKED-out'); print('sk-LEAKED-err', file=sys.stderr); sys.exit(3)"
    )
    config = runtime(w=compat(api_key_command=[PY, "-c", script]))
    with pytest.raises(ConfigError) as info:
        await ConfigTokenProvider(config, env={}).get_token("w")
    message = str(info.value)
    assert "exit status 3" in message
    assert "providers.w.api_key_command" in message
    assert "LEAKED" not in message
    assert "LEAKED" not in repr(info.value)
    assert info.value.__cause__ is None


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        ([PY, "-c", "print('   ')"], "printed nothing"),
        ([PY, "-c", "import sys; sys.stdout.buffer.write(b'\\xff\\xfe')"], "not UTF-8"),
        (["/nonexistent/dir/pass", "show"], "`/nonexistent/dir/pass` not found"),
    ],
)
async def test_other_command_failures(argv: list[str], problem: str) -> None:
    config = runtime(w=compat(api_key_command=argv))
    with pytest.raises(ConfigError, match=problem):
        await ConfigTokenProvider(config, env={}).get_token("w")


async def test_failures_are_not_cached(tmp_path: Path) -> None:
    flag = tmp_path / "ready"
    script = (
        "import pathlib, sys\nif not pathlib.Path(sys.argv[1]).exists(): sys.exit(1)\nprint('k')"
    )
    config = runtime(w=compat(api_key_command=[PY, "-c", script, str(flag)]))
    tp = ConfigTokenProvider(config, env={}, clock=Clock())
    with pytest.raises(ConfigError, match="exit status 1"):
        await tp.get_token("w")
    flag.write_text("")
    assert await token(tp, "w") == "k"


async def test_the_command_sees_the_given_environment(tmp_path: Path) -> None:
    script = "import os; print(os.environ['VAULT_ROLE'] + '-key')"
    config = runtime(w=compat(api_key_command=[PY, "-c", script]))
    assert await token(ConfigTokenProvider(config, env={"VAULT_ROLE": "dev"}), "w") == "dev-key"
