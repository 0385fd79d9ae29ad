"""The daemon's only state: the current config and runtime, swapped whole by a reload.

The config is read at start; the runtime is built after the first answer or on first use, so
``initialize`` answers fast; each provider's adapter (its modules, transport and TLS context)
when a call first needs it. Calls in flight keep the runtime they started on; a replaced one
is closed when its last call ends. A config file that cannot be used leaves the previous
runtime serving; at start, the built-in echo provider alone serves and every other call gets
the file's error.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..assembly import build_runtime
from ..config import RuntimeConfig, describe_providers, fallback_config, load_config
from ..core.errors import ConfigError, ProviderRuntimeError

if TYPE_CHECKING:
    from ..runtime import ProviderRuntime

__all__ = [
    "DEFAULT_MODEL",
    "ConfigLoader",
    "Loaded",
    "RuntimeBuilder",
    "RuntimeHolder",
]

log = logging.getLogger("provider_runtime.server")

DEFAULT_MODEL = "echo/echo-1"  # used when the config names no default_model

ConfigLoader = Callable[[str | None], RuntimeConfig]
RuntimeBuilder = Callable[[RuntimeConfig], "ProviderRuntime"]


@dataclass(eq=False)
class Loaded:
    """One loaded config, the runtime built from it (once), and its count of calls in flight."""

    config: RuntimeConfig
    build: RuntimeBuilder = build_runtime
    built: ProviderRuntime | None = None
    users: int = 0
    retired: bool = False
    fallback: bool = False  # the file was unusable: only the built-in echo provider serves

    def runtime(self) -> ProviderRuntime:
        if self.built is None:
            try:
                self.built = self.build(self.config)
            except ProviderRuntimeError:
                raise
            except Exception as exc:  # a bug while building must not kill the daemon
                log.error("building the runtime failed", exc_info=exc)
                raise ProviderRuntimeError(
                    f"could not build the runtime: {type(exc).__name__}: {exc}"
                ) from exc
        return self.built

    async def aclose(self) -> None:
        if self.built is not None:
            await self.built.aclose()


class RuntimeHolder:
    def __init__(
        self,
        config_path: str | None,
        load: ConfigLoader = load_config,
        build: RuntimeBuilder = build_runtime,
    ) -> None:
        self.config_path = config_path
        self._load = load
        self._build = build
        self._current: Loaded | None = None
        self._error: ProviderRuntimeError | None = None

    @property
    def current(self) -> Loaded | None:
        return self._current

    @property
    def error(self) -> ProviderRuntimeError | None:
        """Why the last load failed (None after a successful load)."""
        return self._error

    def load(self) -> Loaded:
        """Read the config and make it current; on failure keep what was there and raise.

        With nothing there yet (at start), an unusable file leaves a runtime with the built-in
        echo provider alone, whose other calls get the file's error.
        """
        try:
            return self._swap(self._read())
        except ConfigError as exc:
            if self._current is None or self._current.fallback:
                self._current = self._fallback(exc)
            raise

    def _fallback(self, error: ConfigError) -> Loaded:
        return Loaded(config=fallback_config(error), build=self._build, fallback=True)

    def _read(self) -> Loaded:
        try:
            config = self._load(self.config_path)
        except ProviderRuntimeError as exc:
            self._error = exc
            raise
        except Exception as exc:  # a loader bug must not kill the daemon either
            log.error("loading the configuration failed", exc_info=exc)
            self._error = ProviderRuntimeError(
                f"could not load the configuration: {type(exc).__name__}: {exc}"
            )
            raise self._error from exc
        for warning in config.warnings:
            log.warning("config: [%s] %s", warning.code, warning.message)
        return Loaded(config=config, build=self._build)

    def _swap(self, loaded: Loaded) -> Loaded:
        previous, self._current, self._error = self._current, loaded, None
        if previous is not None:
            previous.retired = True
        return loaded

    def warm(self) -> None:
        """Build the current runtime now (after the first answer), so the first call does not
        wait for it. Adapters are not built here: a provider's modules (and botocore) are
        loaded when a call first needs that provider, so a daemon that only ever calls one
        provider never pays for the others (start-up time and memory: benchmarks/)."""
        if self._current is not None:
            try:
                self._current.runtime()
            except ProviderRuntimeError as exc:
                log.error("the runtime could not be built: %s", exc)

    async def reload(self) -> Loaded:
        """Re-read the config and build its runtime; the old one closes when it is idle."""
        previous = self._current
        try:
            loaded = self._read()
        except ConfigError as exc:
            if previous is not None and previous.fallback:  # the error it answers is the new one
                self._current, previous.retired = self._fallback(exc), True
                if previous.users == 0:
                    await previous.aclose()
            raise
        loaded.runtime()  # built before the swap: if it fails, the old runtime stays in service
        self._swap(loaded)
        if previous is not None and previous.users == 0:
            await previous.aclose()
        return loaded

    @asynccontextmanager
    async def use(self) -> AsyncIterator[ProviderRuntime]:
        """The current runtime for one call; raises the load error if there is none."""
        loaded = self._current
        if loaded is None:
            raise self._error or ConfigError("no configuration loaded")
        runtime = loaded.runtime()
        loaded.users += 1
        try:
            yield runtime
        finally:
            loaded.users -= 1
            if loaded.retired and loaded.users == 0:
                await loaded.aclose()

    async def aclose(self) -> None:
        if self._current is not None:
            self._current.retired = True
            if self._current.users == 0:
                await self._current.aclose()
            self._current = None

    def describe(self) -> dict[str, Any]:
        """What ``initialize`` and ``runtime/reloadConfig`` report about the loaded config."""
        loaded = self._current
        if loaded is None:
            return {"configPath": self.config_path, "providers": [], "defaultModel": None}
        built = loaded.built
        return {
            "configPath": loaded.config.path,
            "providers": (
                built.describe_providers() if built else describe_providers(loaded.config)
            ),
            "defaultModel": loaded.config.default_model or DEFAULT_MODEL,
        }
