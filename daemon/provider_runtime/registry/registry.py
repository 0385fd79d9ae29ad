"""Provider registration, model-to-provider routing and concurrent remote model discovery.

Knows adapters only through ``core.traits.ProviderAdapter``: no translation, no pricing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping

from ..catalog import check_model_reference, resolve_model_provider
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
    """Adapters by provider id, filled once at start. An adapter given as a factory is built
    the first time it is needed, so a call imports only the provider modules it uses.

    ``unavailable``: providers the config names but could not set up, with the error a call to
    one gets (it still routes, so the call learns why). ``fallback``: the error for any
    provider not registered, when the config file itself was unusable. ``inactive``: built-in
    providers left off, with the error naming how to switch one on; they do not route, are not
    listed and are not asked for models: only a call naming one gets its error.
    """

    def __init__(
        self,
        adapters: Iterable[ProviderAdapter] = (),
        factories: Mapping[str, Callable[[], ProviderAdapter]] | None = None,
        *,
        unavailable: Mapping[str, ProviderRuntimeError] | None = None,
        fallback: ProviderRuntimeError | None = None,
        inactive: Mapping[str, ProviderRuntimeError] | None = None,
    ) -> None:
        self._adapters: dict[str, ProviderAdapter] = {}
        self._factories: dict[str, Callable[[], ProviderAdapter]] = {}
        self._unavailable = dict(unavailable or {})
        self._fallback = fallback
        self._inactive = dict(inactive or {})
        for adapter in adapters:
            self.register(adapter)
        for provider_id, make in (factories or {}).items():
            self._claim(provider_id)
            self._factories[provider_id] = make

    def register(self, adapter: ProviderAdapter) -> None:
        self._claim(adapter.id)
        self._adapters[adapter.id] = adapter

    def _claim(self, provider_id: str) -> None:
        if provider_id in self._adapters or provider_id in self._factories:
            raise ConfigError(f"provider `{provider_id}` is registered twice")

    @property
    def ids(self) -> list[str]:
        return sorted(self._adapters.keys() | self._factories.keys())

    def _routable(self) -> list[str]:
        return sorted({*self.ids, *self._unavailable})

    def resolve_adapter(self, provider: str) -> ProviderAdapter:
        adapter = self._adapters.get(provider)
        if adapter is not None:
            return adapter
        make = self._factories.get(provider)
        if make is None:
            error = self._unavailable.get(provider, self._fallback) or self._inactive.get(provider)
            if error is not None:
                raise error
            known = ", ".join(self.ids) or "none"
            raise RoutingError(f"unknown provider `{provider}`; configured providers: {known}")
        adapter = self._adapters[provider] = make()
        del self._factories[provider]
        return adapter

    def why_inactive(self, provider: str) -> str | None:
        """How to switch on a built-in provider left off; None for any other id."""
        error = self._inactive.get(provider)
        return None if error is None else getattr(error, "problem", str(error))

    def build_all(self) -> None:
        """Build every adapter not built yet (remote discovery asks each of them)."""
        for provider_id in sorted(self._factories):
            self.resolve_adapter(provider_id)

    def resolve_provider(self, model: str | ModelRef, catalog: ModelCatalog) -> ModelRef:
        """The model with its provider set.

        An explicit prefix naming a registered provider wins. A prefix that names no registered
        provider is retried as a bare id (OpenRouter-style ids such as ``meta-llama/llama-3``
        contain a ``/``); a bare id resolves when exactly one registered provider has it.
        """
        check_model_reference(model if isinstance(model, str) else _text(model), catalog, self.ids)
        ref = parse_model_ref(model)
        routable = self._routable()
        try:
            if ref.provider is not None:
                if ref.provider in routable:
                    return ref
                whole = ModelRef(id=f"{ref.provider}/{ref.id}")
                try:
                    provider = resolve_model_provider(whole, catalog, routable)
                except RoutingError:
                    self.resolve_adapter(ref.provider)  # raises the clearer "unknown provider"
                    raise
                return ModelRef(provider=provider, id=whole.id)
            return ModelRef(provider=resolve_model_provider(ref, catalog, routable), id=ref.id)
        except RoutingError:
            if self._fallback is not None:  # the config that might have named it is unusable
                raise self._fallback from None
            raise

    async def discover_models(
        self, options: DiscoveryOptions, tokens: TokenProvider
    ) -> tuple[list[ModelInfo], list[ProviderRuntimeWarning]]:
        """Ask every selected adapter that supports it for its models, concurrently.

        A provider that fails (no credential, timeout, HTTP error) contributes a
        ``discovery.failed`` warning instead of failing the whole call.
        """
        self.build_all()
        wanted = [
            a
            for pid, a in sorted(self._adapters.items())
            if (options.providers is None or pid in options.providers)
            and a.capabilities.remote_discovery
        ]
        results = await asyncio.gather(*(_discover_one(a, tokens) for a in wanted))
        models: list[ModelInfo] = []
        warnings = [
            _failed(pid, error)
            for pid, error in sorted(self._unavailable.items())
            if options.providers is None or pid in options.providers
        ]
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
        return [], _failed(adapter.id, exc)


def _failed(provider: str, exc: ProviderRuntimeError) -> ProviderRuntimeWarning:
    return ProviderRuntimeWarning(
        code="discovery.failed",
        message=f"model discovery for `{provider}` failed: {exc}",
        details={"provider": provider, "kind": exc.kind.value},
    )


def _text(ref: ModelRef) -> str:
    """A reference object as written; an empty provider shows as an empty part."""
    return ref.id if ref.provider is None else f"{ref.provider}/{ref.id}"
