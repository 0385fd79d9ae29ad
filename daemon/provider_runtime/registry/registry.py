"""Provider registration, model-to-provider routing and concurrent remote model discovery.

Knows adapters only through ``core.traits.ProviderAdapter``: no translation, no pricing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from ..catalog import resolve_model_provider
from ..core.errors import ConfigError, ProviderRuntimeError, RoutingError
from ..core.traits import ProviderAdapter, TokenProvider
from ..core.types import (
    DiscoveryOptions,
    ModelCatalog,
    ModelInfo,
    ModelRef,
    ProviderRuntimeWarning,
    parse_model_ref,
)

__all__ = ["ProviderRegistry"]


class ProviderRegistry:
    """Adapters by provider id. Filled once at start; read-only while serving calls."""

    def __init__(self, adapters: Iterable[ProviderAdapter] = ()) -> None:
        self._adapters: dict[str, ProviderAdapter] = {}
        for adapter in adapters:
            self.register(adapter)

    def register(self, adapter: ProviderAdapter) -> None:
        if adapter.id in self._adapters:
            raise ConfigError(f"provider `{adapter.id}` is registered twice")
        self._adapters[adapter.id] = adapter

    @property
    def ids(self) -> list[str]:
        return sorted(self._adapters)

    def resolve_adapter(self, provider: str) -> ProviderAdapter:
        try:
            return self._adapters[provider]
        except KeyError:
            known = ", ".join(self.ids) or "none"
            raise RoutingError(
                f"unknown provider `{provider}`; configured providers: {known}"
            ) from None

    def resolve_provider(self, model: str | ModelRef, catalog: ModelCatalog) -> ModelRef:
        """The model with its provider set.

        An explicit prefix naming a registered provider wins. A prefix that names no registered
        provider is retried as a bare id (OpenRouter-style ids such as ``meta-llama/llama-3``
        contain a ``/``); a bare id resolves when exactly one registered provider has it.
        """
        ref = parse_model_ref(model)
        if ref.provider is not None:
            if ref.provider in self._adapters:
                return ref
            whole = ModelRef(id=f"{ref.provider}/{ref.id}")
            try:
                provider = resolve_model_provider(whole, catalog, self.ids)
            except RoutingError:
                self.resolve_adapter(ref.provider)  # raises the clearer "unknown provider" error
                raise
            return ModelRef(provider=provider, id=whole.id)
        return ModelRef(provider=resolve_model_provider(ref, catalog, self.ids), id=ref.id)

    async def discover_models(
        self, options: DiscoveryOptions, tokens: TokenProvider
    ) -> tuple[list[ModelInfo], list[ProviderRuntimeWarning]]:
        """Ask every selected adapter that supports it for its models, concurrently.

        A provider that fails (no credential, timeout, HTTP error) contributes a
        ``discovery.failed`` warning instead of failing the whole call.
        """
        wanted = [
            a
            for pid, a in sorted(self._adapters.items())
            if (options.providers is None or pid in options.providers)
            and a.capabilities.remote_discovery
        ]
        results = await asyncio.gather(*(_discover_one(a, tokens) for a in wanted))
        models: list[ModelInfo] = []
        warnings: list[ProviderRuntimeWarning] = []
        for found, warning in results:
            models.extend(found)
            if warning is not None:
                warnings.append(warning)
        return models, warnings


async def _discover_one(
    adapter: ProviderAdapter, tokens: TokenProvider
) -> tuple[list[ModelInfo], ProviderRuntimeWarning | None]:
    try:
        credential = await tokens.get_token(adapter.id)
        return await adapter.discover_models(credential), None
    except ProviderRuntimeError as exc:
        return [], ProviderRuntimeWarning(
            code="discovery.failed",
            message=f"model discovery for `{adapter.id}` failed: {exc}",
            details={"provider": adapter.id, "kind": exc.kind.value},
        )
