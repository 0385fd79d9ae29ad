"""Core: canonical types, the error hierarchy and the adapter/credential contracts (frozen)."""

from . import errors, traits, types
from .errors import (
    ConfigError,
    ErrorKind,
    ProviderError,
    ProviderRuntimeError,
    RoutingError,
)
from .traits import ApiChooser, ProviderAdapter, TokenCounter, TokenProvider
from .types import *  # noqa: F403
from .types import __all__ as _types_all

__all__ = [
    "ApiChooser",
    "ConfigError",
    "ErrorKind",
    "ProviderAdapter",
    "ProviderError",
    "ProviderRuntimeError",
    "RoutingError",
    "TokenCounter",
    "TokenProvider",
    "errors",
    "traits",
    "types",
    *_types_all,
]
