"""Runtime: stateless orchestration around registry, adapters, handoff, pricing and catalog."""

from .builder import ProviderRuntimeBuilder
from .counting import PriceQuote, usage_problem
from .runtime import DiscoveryResult, ProviderRuntime

__all__ = [
    "DiscoveryResult",
    "PriceQuote",
    "ProviderRuntime",
    "ProviderRuntimeBuilder",
    "usage_problem",
]
