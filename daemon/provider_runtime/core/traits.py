"""The frozen contracts every provider adapter and credential source implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .types import (
    AdapterContext,
    ModelInfo,
    ProviderCapabilities,
    ProviderRequest,
    ProviderResponse,
    Secret,
)

__all__ = ["ProviderAdapter", "TokenProvider"]


@runtime_checkable
class ProviderAdapter(Protocol):
    """Translates one canonical request to a provider's API and its answer back.

    ``run`` receives the request with its model already resolved into ``context.model`` and
    messages already normalized for this provider; it returns a canonical response (usage
    mapped, ``cost`` only when the provider itself reported one) or raises ``ProviderError``.
    ``discover_models`` lists the provider's models from its API (remote enrichment).
    """

    @property
    def id(self) -> str: ...

    @property
    def capabilities(self) -> ProviderCapabilities: ...

    async def run(self, request: ProviderRequest, context: AdapterContext) -> ProviderResponse: ...

    async def discover_models(self, credential: Secret | None) -> list[ModelInfo]: ...


@runtime_checkable
class TokenProvider(Protocol):
    """Returns the credential for a provider, or None when it needs none. May cache.

    Asked once per call, so a rotated key is picked up without a restart. Raises
    ``ConfigError`` naming what to set when a required credential is missing.
    """

    async def get_token(self, provider: str) -> Secret | None: ...
