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
    TokenCount,
)

__all__ = ["ApiChooser", "ProviderAdapter", "TokenCounter", "TokenProvider"]


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
class TokenCounter(Protocol):
    """Optional for an adapter: it can ask its provider how many tokens a request's prompt is.

    Not a member of ``ProviderAdapter``, so adapters written before it still satisfy that
    protocol; the runtime checks ``isinstance(adapter, TokenCounter) and adapter.counts_tokens``
    and otherwise estimates (protocol.md §8.5). ``count_tokens`` gets the same prepared request
    and context (credential included) as ``run`` and returns the provider's count with
    ``source`` ``provider`` (``context_window`` and ``fits`` are the runtime's to fill); it
    raises ``ProviderError`` exactly as ``run`` does.
    """

    @property
    def counts_tokens(self) -> bool: ...

    async def count_tokens(
        self, request: ProviderRequest, context: AdapterContext
    ) -> TokenCount: ...


@runtime_checkable
class ApiChooser(Protocol):
    """Optional for an adapter whose provider serves a model through one of several APIs
    (OpenAI's Chat Completions and Responses): which one a call with ``context`` uses.

    The adapter's own calls pick their API with this very method, and ``runtime/models`` shows
    its answer for each model (the context built as for a call: model and catalog entry, no
    credential), so the listing and the call cannot disagree. Pure and cheap.
    """

    def api_for(self, context: AdapterContext) -> str: ...


@runtime_checkable
class TokenProvider(Protocol):
    """Returns the credential for a provider, or None when it needs none. May cache.

    Asked once per call, so a rotated key is picked up without a restart. Raises
    ``ConfigError`` naming what to set when a required credential is missing.
    """

    async def get_token(self, provider: str) -> Secret | None: ...
