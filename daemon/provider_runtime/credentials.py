"""Credentials from the config: a key command (the token-provider hook), a literal key, or env.

``ConfigTokenProvider`` implements ``core.traits.TokenProvider``. Key commands run without a
shell, under a timeout, in their own process group (ended with them); their output is never shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time
from collections.abc import Callable, Mapping

from .config import RuntimeConfig, credential_source, key_env_vars, needs_credential
from .core.errors import ConfigError
from .core.types import Secret

__all__ = ["ConfigTokenProvider"]

# Printable ASCII: what an HTTP header value can carry as it is (and what every real key is).
_HEADER_SAFE = re.compile(r"[\x20-\x7e]*")


class ConfigTokenProvider:
    """Looks up a provider's key: ``api_key_command``, then ``api_key``, then the env var.

    A command's key is cached for ``api_key_cache_seconds`` (by ``clock``); concurrent callers
    for the same provider share one run. Failures are not cached.
    """

    def __init__(
        self,
        config: RuntimeConfig,
        *,
        env: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._config = config
        self._env = env
        self._clock = clock
        self._cache: dict[str, tuple[Secret, float]] = {}
        self._running: dict[str, asyncio.Task[Secret]] = {}

    async def get_token(self, provider: str) -> Secret | None:
        """The key, or None when the provider needs none; a ``ConfigError`` when one is missing
        or could not travel in an HTTP header (a line break, say), naming where it came from."""
        secret = await self._lookup(provider)
        if secret is not None and not _HEADER_SAFE.fullmatch(secret.reveal()):
            raise ConfigError(
                f"the credential of provider `{provider}` ({self.credential_source(provider)}) "
                "holds a line break or another character an HTTP header cannot carry"
            )
        return secret

    async def _lookup(self, provider: str) -> Secret | None:
        pc = self._config.providers.get(provider)
        if pc is None:
            raise ConfigError(f"no provider `{provider}` is configured")
        if pc.api_key_command:
            return await self._from_command(provider, pc.api_key_command)
        if pc.api_key:
            return Secret(pc.api_key)
        env = os.environ if self._env is None else self._env
        name = key_env_vars(provider, pc, env)
        value = env.get(name, "").strip() if name else ""
        if value:
            return Secret(value)
        if needs_credential(pc):
            raise ConfigError(_missing_message(provider, name))
        return None

    def invalidate(self, provider: str, credential: Secret) -> bool:
        """Forget a cached command key the provider refused; True when there was one to forget.

        Only the refused key is dropped: a newer one fetched meanwhile by another call stays.
        """
        cached = self._cache.get(provider)
        if cached is None or cached[0] != credential:
            return False
        del self._cache[provider]
        return True

    def credential_source(self, provider: str) -> str:
        """A human description of where the key comes from; never the key."""
        pc = self._config.providers.get(provider)
        return "none" if pc is None else credential_source(provider, pc, self._env)

    async def _from_command(self, provider: str, argv: list[str]) -> Secret:
        cached = self._cache.get(provider)
        if cached is not None and self._clock() < cached[1]:
            return cached[0]
        task = self._running.get(provider)
        if task is None:
            task = asyncio.ensure_future(self._run_and_cache(provider, argv))
            self._running[provider] = task
            task.add_done_callback(lambda done: self._finished(provider, done))
        # shielded: one caller giving up must not kill the run the others wait for
        return await asyncio.shield(task)

    def _finished(self, provider: str, task: asyncio.Task[Secret]) -> None:
        self._running.pop(provider, None)
        if not task.cancelled():
            task.exception()  # retrieved: the callers that are still waiting get it raised

    async def _run_and_cache(self, provider: str, argv: list[str]) -> Secret:
        pc = self._config.providers[provider]
        secret = await run_key_command(
            provider, argv, timeout=pc.api_key_command_timeout, env=self._env
        )
        if pc.api_key_cache_seconds > 0:
            self._cache[provider] = (secret, self._clock() + pc.api_key_cache_seconds)
        return secret


def _missing_message(provider: str, env_name: str | None) -> str:
    hook = f"providers.{provider}.api_key_command"
    if env_name:
        return f"no credential for provider `{provider}`: set {env_name} or {hook}"
    return (
        f"no credential for provider `{provider}`: set providers.{provider}.api_key_env or {hook}"
    )


async def run_key_command(
    provider: str,
    argv: list[str],
    *,
    timeout: float,  # noqa: ASYNC109 - the command's own limit, from the config
    env: Mapping[str, str] | None = None,
) -> Secret:
    """Run ``argv`` (no shell) and return its stripped stdout; its output never reaches errors."""
    what = f"providers.{provider}.api_key_command"
    try:
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
            env=None if env is None else dict(env),
            start_new_session=True,  # its own process group, so a timeout can kill it all
        )
    except OSError as exc:
        reason = "not found" if isinstance(exc, FileNotFoundError) else "could not be started"
        raise ConfigError(f"{what}: the program `{argv[0]}` {reason}") from None
    try:
        stdout, _ = await asyncio.wait_for(proc.communicate(), timeout)
    except BaseException as exc:  # timeout or cancellation: leave no process behind
        _kill_group(proc.pid)
        with contextlib.suppress(ProcessLookupError):
            await proc.wait()
        if isinstance(exc, TimeoutError):
            raise ConfigError(f"{what} timed out after {timeout:g}s and was killed") from None
        raise
    _kill_group(proc.pid)  # whatever it started and left behind in its group goes with it
    if proc.returncode != 0:
        raise ConfigError(f"{what} failed with exit status {proc.returncode} (output not shown)")
    try:
        key = stdout.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise ConfigError(f"{what} printed something that is not UTF-8 text") from None
    if not key:
        raise ConfigError(f"{what} printed nothing")
    return Secret(key)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
