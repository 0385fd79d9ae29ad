"""Registry: provider registration and model routing (Stages 10-11)."""

from . import registry
from .registry import ProviderRegistry

__all__ = ["ProviderRegistry", "registry"]
