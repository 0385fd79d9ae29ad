"""The daemon's only state: the current config and runtime, swapped whole by a reload.

Calls in flight keep the runtime they started on; a replaced runtime is closed when its last call
finishes. A config that fails to load leaves the previous runtime serving (or none at start).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.errors import ConfigError, ProviderRuntimeError

if TYPE_CHECKING:
    from ..config import RuntimeConfig
    from ..runtime import ProviderRuntime

__all__ = ["DEFAULT_MODEL", "Loaded", "RuntimeFactory", "RuntimeHolder", "load_runtime"]

log = logging.getLogger("provider_runtime.server")

DEFAULT_MODEL = "echo/echo-1"  # used when the config names no default_model


@dataclass(eq=False)
class Loaded:
    """One loaded config and the runtime built from it, with its count of calls in flight."""

    config: RuntimeConfig
    runtime: ProviderRuntime
    users: int = 0
    retired: bool = False


RuntimeFactory = Callable[[str | None], Loaded]


def load_runtime(config_path: str | None) -> Loaded:
    """Read the config (``config_path``, else the usual search) and build a runtime from it."""
    from ..config import load_config
    from ..runtime import ProviderRuntime

    config = load_config(config_path)
    return Loaded(config=config, runtime=ProviderRuntime.from_config(config))


class RuntimeHolder:
    def __init__(self, config_path: str | None, factory: RuntimeFactory = load_runtime) -> None:
        self.config_path = config_path
        self._factory = factory
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
        """(Re)build from the config; on failure keep what was there and raise the error."""
        try:
            loaded = self._factory(self.config_path)
        except ProviderRuntimeError as exc:
            self._error = exc
            raise
        except Exception as exc:  # a bug while building must not kill the daemon either
            log.debug("building the runtime failed", exc_info=exc)
            self._error = ProviderRuntimeError(
                f"could not build the runtime: {type(exc).__name__}: {exc}"
            )
            raise self._error from exc
        for warning in loaded.config.warnings:
            log.warning("config: [%s] %s", warning.code, warning.message)
        previous, self._current, self._error = self._current, loaded, None
        if previous is not None:
            previous.retired = True
        return loaded

    async def reload(self) -> Loaded:
        previous = self._current
        loaded = self.load()
        if previous is not None and previous.users == 0:
            await previous.runtime.aclose()
        return loaded

    @asynccontextmanager
    async def use(self) -> AsyncIterator[ProviderRuntime]:
        """The current runtime for one call; raises the load error if there is none."""
        loaded = self._current
        if loaded is None:
            raise self._error or ConfigError("no configuration loaded")
        loaded.users += 1
        try:
            yield loaded.runtime
        finally:
            loaded.users -= 1
            if loaded.retired and loaded.users == 0:
                await loaded.runtime.aclose()

    async def aclose(self) -> None:
        if self._current is not None:
            self._current.retired = True
            if self._current.users == 0:
                await self._current.runtime.aclose()
            self._current = None

    def describe(self) -> dict[str, Any]:
        """What ``initialize`` and ``runtime/reloadConfig`` report about the loaded config."""
        loaded = self._current
        if loaded is None:
            return {"configPath": self.config_path, "providers": [], "defaultModel": None}
        return {
            "configPath": loaded.config.path,
            "providers": loaded.runtime.describe_providers(),
            "defaultModel": loaded.config.default_model or DEFAULT_MODEL,
        }
