"""The stateless runtime: route, normalize, check, call, price; one canonical answer per call.

Nothing from one call survives into the next: the runtime holds only the registry, the catalog,
the pricing table, the credential source and the transports, all read-only while serving.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import msgspec

from ..catalog import (
    catalog_to_builtins,
    export_catalog_json,
    find_model,
    merge_static_and_remote_catalog,
)
from ..core.errors import ErrorKind, ProviderError, ProviderRuntimeError, RoutingError
from ..core.traits import ApiChooser, TokenCounter
from ..core.types import (
    AdapterContext,
    CanonicalStruct,
    DiscoveryOptions,
    ListedModel,
    ModelCatalog,
    ModelInfo,
    ModelRef,
    PricingSource,
    ProviderRequest,
    ProviderResponse,
    ProviderRuntimeWarning,
    TokenCount,
    Usage,
    parse_model_ref,
)
from ..pricing import estimate_cost
from ..registry import ProviderRegistry
from .builder import ProviderRuntimeBuilder, RuntimeParts
from .capabilities import prepare_request
from .counting import PriceQuote, estimate_count, finish_count
from .faults import EntryFault

__all__ = ["DiscoveryResult", "EntryFault", "PriceQuote", "ProviderRuntime"]

T = TypeVar("T")
AdapterCall = Callable[[ProviderRequest, AdapterContext], Awaitable[T]]


class DiscoveryResult(CanonicalStruct, frozen=True):
    """The answer of ``runtime/models``: the merged catalog's models (each with the API a call
    to it uses, where its provider has several) and discovery warnings."""

    models: list[ListedModel]
    warnings: list[ProviderRuntimeWarning] = []


class ProviderRuntime:
    """Built with ``ProviderRuntime.builder()`` from explicit parts, or from a configuration
    with ``provider_runtime.assembly.build_runtime(config)``."""

    def __init__(self, parts: RuntimeParts) -> None:
        self._registry = parts.registry
        self._static = parts.static_catalog
        self._config_models = tuple(parts.config_models)
        self._catalog = parts.catalog
        self._pricing = parts.pricing
        self._tokens = parts.tokens
        self._closers = parts.closers
        self._describe = parts.describe
        self._faults = tuple(parts.faults)

    @classmethod
    def builder(cls) -> ProviderRuntimeBuilder[ProviderRuntime]:
        return ProviderRuntimeBuilder(cls)

    @property
    def catalog(self) -> ModelCatalog:
        return self._catalog

    @property
    def registry(self) -> ProviderRegistry:
        return self._registry

    async def run(self, request: ProviderRequest) -> ProviderResponse:
        """One non-streaming call. Raises ``ProviderRuntimeError`` subclasses on failure."""
        ref = self._route(request.model)
        assert ref.provider is not None
        adapter = self._registry.resolve_adapter(ref.provider)
        context = self._context(ref)
        request, warnings = prepare_request(request, ref, context.model_info, adapter.capabilities)
        response = await self._call(adapter.run, request, context)

        cost, pricing_warnings = self._price(response, ref)
        return msgspec.structs.replace(
            response,
            cost=cost,
            warnings=[*warnings, *response.warnings, *pricing_warnings],
        )

    async def count_tokens(self, request: ProviderRequest) -> TokenCount:
        """The prompt's size for its model, from the same prepared request ``run`` would send:
        the provider's count where its adapter has a counting endpoint (credentials, retries
        and errors as for ``run``), else the offline estimate; ``fits`` from the catalog."""
        ref = self._route(request.model)
        assert ref.provider is not None
        adapter = self._registry.resolve_adapter(ref.provider)
        context = self._context(ref)
        info = context.model_info
        prepared, warnings = prepare_request(request, ref, info, adapter.capabilities)
        if isinstance(adapter, TokenCounter) and adapter.counts_tokens:
            count = await self._call(adapter.count_tokens, prepared, context)
        else:
            count = estimate_count(prepared, ref)
        return finish_count(count, info, request.max_output_tokens, warnings)

    def price(self, models: Sequence[str | ModelRef], usage: Usage) -> list[PriceQuote]:
        """What a call of each model reporting ``usage`` would have cost, priced as ``run``
        prices (user rules, then the catalog); no network, no credential. Each model is routed
        as ``run`` routes it: an unknown one is a routing error."""
        quotes = []
        for model in models:
            ref = self._route(model)
            assert ref.provider is not None
            cost, warnings = estimate_cost(usage, ref, self._pricing)
            quotes.append(
                PriceQuote(provider=ref.provider, model=ref.id, cost=cost, warnings=warnings)
            )
        return quotes

    def _context(self, ref: ModelRef) -> AdapterContext:
        """What an adapter learns of the model it is called for (the credential comes later);
        ``runtime/models`` asks the adapter's API choice with this same context."""
        assert ref.provider is not None  # routed
        return AdapterContext(model=ref, model_info=find_model(self._catalog, ref.provider, ref.id))

    def _route(self, model: str | ModelRef) -> ModelRef:
        """The model with its provider; a bad config entry covering it fails the call first."""
        try:
            ref = self._registry.resolve_provider(model, self._catalog)
        except RoutingError:
            wanted = parse_model_ref(model)  # a model only a bad [[models]] entry declared
            self._check_faults(wanted.provider, wanted.id)
            raise
        self._check_faults(ref.provider, ref.id)
        return ref

    def _check_faults(self, provider: str | None, model: str) -> None:
        for fault in self._faults:
            if fault.covers(provider, model):
                raise fault.error

    async def _call(
        self, send: AdapterCall[T], request: ProviderRequest, context: AdapterContext
    ) -> T:
        """The adapter's answer (``send`` is its ``run`` or ``count_tokens``), with a credential
        asked for this call (fails fast, before I/O).

        A cached key the provider refuses (rotated meanwhile) is dropped and asked for once more,
        when the token provider can forget keys (``invalidate``); otherwise the refusal stands.
        """
        provider = context.model.provider
        assert provider is not None
        credential = await self._tokens.get_token(provider)
        try:
            return await send(request, msgspec.structs.replace(context, credential=credential))
        except ProviderError as exc:
            forget = getattr(self._tokens, "invalidate", None)
            if exc.kind is not ErrorKind.AUTHENTICATION or credential is None or forget is None:
                raise
            if not forget(provider, credential):
                raise
        fresh = await self._tokens.get_token(provider)
        return await send(request, msgspec.structs.replace(context, credential=fresh))

    def _price(
        self, response: ProviderResponse, ref: ModelRef
    ) -> tuple[Any, list[ProviderRuntimeWarning]]:
        cost, warnings = estimate_cost(response.usage, ref, self._pricing, reported=response.cost)
        if cost is None and response.model and response.model != ref.id:
            # A dated snapshot name in the answer (gpt-4o-2024-08-06) may be priced separately.
            answered = ModelRef(provider=ref.provider, id=response.model)
            alt, alt_warnings = estimate_cost(response.usage, answered, self._pricing)
            if alt is not None:
                return alt, alt_warnings
        return cost, warnings

    async def discover_models(self, options: DiscoveryOptions | None = None) -> DiscoveryResult:
        """Static catalog first; with ``options.remote`` the providers' lists fill the gaps."""
        options = options or DiscoveryOptions()
        catalog = self._catalog
        warnings = _unknown_providers(
            options.providers, self._registry.ids, self._registry.why_inactive
        )
        if options.remote:
            remote, failures = await self._registry.discover_models(options, self._tokens)
            warnings += failures
            catalog = merge_static_and_remote_catalog(self._static, remote, self._config_models)
        models = [
            self._listed(m)
            for m in catalog.models
            if (options.providers is None or m.provider in options.providers)
            and self._registry.why_inactive(m.provider) is None  # a preset left off: unlisted
        ]
        return DiscoveryResult(models=models, warnings=warnings)

    def _listed(self, model: ModelInfo) -> ListedModel:
        """The model as its calls get it: a ``[[pricing]]`` rule's prices beat the catalog's,
        and the API its adapter picks for a call to it (null for a provider with one API)."""
        fields = msgspec.structs.asdict(model)
        found = self._pricing.lookup(model.provider, model.id)
        if found is not None and found.source is PricingSource.USER_CONFIG:
            fields["pricing"] = found.pricing
        return ListedModel(**fields, api=self._api_for(model.provider, model.id))

    def _api_for(self, provider: str, model: str) -> str | None:
        """The adapter's own choice for a call to ``provider/model``; None when the provider
        has one API, or cannot be set up (a call reports why)."""
        try:
            adapter = self._registry.resolve_adapter(provider)
        except ProviderRuntimeError:
            return None
        if not isinstance(adapter, ApiChooser):
            return None
        return adapter.api_for(self._context(ModelRef(provider=provider, id=model)))

    def export_catalog_json(self) -> bytes:
        return export_catalog_json(self._catalog)

    def catalog_object(self) -> dict[str, Any]:
        return catalog_to_builtins(self._catalog)

    def describe_providers(self) -> list[dict[str, Any]]:
        """Each provider: id, type, base URL and its credential source (never the value)."""
        if self._describe is not None:
            return self._describe()
        return [{"id": pid} for pid in self._registry.ids]

    async def aclose(self) -> None:
        for close in self._closers:
            await close()

    async def __aenter__(self) -> ProviderRuntime:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _unknown_providers(
    wanted: Sequence[str] | None,
    configured: Sequence[str],
    why_inactive: Callable[[str], str | None],
) -> list[ProviderRuntimeWarning]:
    """A ``routing.unknown_provider`` warning per asked-for provider id that is not configured:
    an empty listing must not look like a provider without models. A built-in provider left
    off says how to switch it on."""
    listing = ", ".join(configured) or "none"
    return [
        ProviderRuntimeWarning(
            code="routing.unknown_provider",
            message=f"unknown provider `{pid}`: nothing listed for it; configured: {listing}"
            + (f"; {hint}" if (hint := why_inactive(pid)) else ""),
            details={"provider": pid, "configured": list(configured)},
        )
        for pid in dict.fromkeys(wanted or ())
        if pid not in configured
    ]
