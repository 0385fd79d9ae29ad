"""provider-runtime: one canonical request and response for every LLM provider.

The package root exports the runtime (Stage 13) lazily, so that starting the daemon imports only
what its first answer needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# The one place the version is written: hatch copies it into the package metadata at build time
# (pyproject.toml), and `--version` and `initialize` report it.
__version__ = "0.1.0"

if TYPE_CHECKING:
    from .runtime import ProviderRuntime, ProviderRuntimeBuilder

_SUBMODULES = frozenset(
    {
        "assembly",
        "catalog",
        "config",
        "core",
        "handoff",
        "pricing",
        "providers",
        "registry",
        "runtime",
        "transport",
    }
)

__all__ = ["ProviderRuntime", "ProviderRuntimeBuilder", "__version__", *sorted(_SUBMODULES)]


def __getattr__(name: str) -> Any:
    if name in ("ProviderRuntime", "ProviderRuntimeBuilder"):
        return getattr(importlib.import_module(".runtime", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
