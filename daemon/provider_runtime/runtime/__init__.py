"""Runtime: stateless orchestration around registry, adapters, handoff, pricing and catalog."""

from .builder import ProviderRuntimeBuilder
from .runtime import DiscoveryResult, ProviderRuntime

__all__ = ["DiscoveryResult", "ProviderRuntime", "ProviderRuntimeBuilder"]
