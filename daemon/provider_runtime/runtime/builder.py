"""``ProviderRuntimeBuilder``: a runtime from explicit parts (adapters, catalog, prices, tokens).

It knows no config file, transport or concrete adapter: ``provider_runtime.assembly`` turns a
config into these parts, and tests or library users hand them in directly (mocks included).
The builder does not import the runtime it builds (``ProviderRuntime.builder()`` passes
itself in), so the two modules form no import cycle.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ..catalog import CatalogIndex, load_static_catalog, merge_static_and_remote_catalog
from ..core.errors import ConfigError, ProviderRuntimeError
from ..core.traits import ProviderAdapter, TokenProvider
from ..core.types import ModelCatalog, ModelInfo
from ..pricing import PriceRule, PricingTable
from ..registry import ProviderRegistry
from .faults import EntryFault

__all__ = ["ProviderRuntimeBuilder", "RuntimeParts"]

R = TypeVar("R")
Closer = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True, kw_only=True)
class RuntimeParts:
    """Everything a runtime holds, read-only while it serves."""

    registry: ProviderRegistry
    static_catalog: ModelCatalog  # bundled + adapter-declared models, before the config's
    catalog: ModelCatalog  # static merged with config models: what calls route against
    config_models: Sequence[ModelInfo]
    pricing: PricingTable
    tokens: TokenProvider
    closers: Sequence[Closer] = ()  # not copied: adapters built later add their transports
    describe: Callable[[], list[dict[str, Any]]] | None = None
    faults: Sequence[EntryFault] = ()


@dataclass(slots=True)
class _Given:
    adapters: list[ProviderAdapter] = field(default_factory=list)
    factories: dict[str, Callable[[], ProviderAdapter]] = field(default_factory=dict)
    catalog: ModelCatalog | None = None
    config_models: list[ModelInfo] = field(default_factory=list)
    rules: list[PriceRule] = field(default_factory=list)
    pricing: PricingTable | None = None
    tokens: TokenProvider | None = None
    closers: list[Closer] = field(default_factory=list)
    describe: Callable[[], list[dict[str, Any]]] | None = None
    unavailable: dict[str, ProviderRuntimeError] = field(default_factory=dict)
    fallback: ProviderRuntimeError | None = None
    inactive: dict[str, ProviderRuntimeError] = field(default_factory=dict)
    faults: list[EntryFault] = field(default_factory=list)


class ProviderRuntimeBuilder(Generic[R]):
    """Collects the parts; ``build()`` hands them to ``make`` (the runtime class)."""

    def __init__(self, make: Callable[[RuntimeParts], R]) -> None:
        self._make = make
        self._given = _Given()

    def adapter(self, adapter: ProviderAdapter) -> ProviderRuntimeBuilder[R]:
        self._given.adapters.append(adapter)
        return self

    def adapter_factory(
        self, provider_id: str, make: Callable[[], ProviderAdapter]
    ) -> ProviderRuntimeBuilder[R]:
        """An adapter built (and its modules imported) when a call first needs it."""
        self._given.factories[provider_id] = make
        return self

    def catalog(self, catalog: ModelCatalog) -> ProviderRuntimeBuilder[R]:
        """The static catalog (default: the bundled one)."""
        self._given.catalog = catalog
        return self

    def config_models(self, models: Sequence[ModelInfo]) -> ProviderRuntimeBuilder[R]:
        """Models declared by the user: they win over the catalog's and the providers' lists."""
        self._given.config_models = list(models)
        return self

    def price_rules(self, rules: Sequence[PriceRule]) -> ProviderRuntimeBuilder[R]:
        """User price rules, consulted before catalog prices (ignored with ``pricing_table``)."""
        self._given.rules = list(rules)
        return self

    def pricing_table(self, table: PricingTable) -> ProviderRuntimeBuilder[R]:
        self._given.pricing = table
        return self

    def token_provider(self, tokens: TokenProvider) -> ProviderRuntimeBuilder[R]:
        self._given.tokens = tokens
        return self

    def closers(self, closers: list[Closer]) -> ProviderRuntimeBuilder[R]:
        """Called by ``aclose``; the list is kept, not copied, so it may grow later."""
        self._given.closers = closers
        return self

    def describe(self, describe: Callable[[], list[dict[str, Any]]]) -> ProviderRuntimeBuilder[R]:
        """What ``describe_providers`` reports (default: the registered ids)."""
        self._given.describe = describe
        return self

    def unavailable(
        self, provider_id: str, error: ProviderRuntimeError
    ) -> ProviderRuntimeBuilder[R]:
        """A provider named but not usable: a call to it routes, then gets ``error``."""
        self._given.unavailable.setdefault(provider_id, error)
        return self

    def fallback(self, error: ProviderRuntimeError) -> ProviderRuntimeBuilder[R]:
        """The error for any provider not registered (the configuration file was unusable)."""
        self._given.fallback = error
        return self

    def inactive(self, provider_id: str, error: ProviderRuntimeError) -> ProviderRuntimeBuilder[R]:
        """A built-in provider left off: not listed or asked for models; a call naming it gets
        ``error`` (which says how to switch it on)."""
        self._given.inactive[provider_id] = error
        return self

    def entry_fault(self, fault: EntryFault) -> ProviderRuntimeBuilder[R]:
        """Calls the fault covers fail with its error before anything is sent."""
        self._given.faults.append(fault)
        return self

    def build(self) -> R:
        given = self._given
        if given.tokens is None:
            raise ConfigError(
                "a runtime needs a token provider; provider_runtime.assembly.build_runtime "
                "makes one from the configuration"
            )
        static = given.catalog if given.catalog is not None else load_static_catalog()
        declared = [m for a in given.adapters for m in _static_models(a)]
        if declared:
            static = ModelCatalog(models=[*static.models, *declared], snapshot=static.snapshot)
        catalog = merge_static_and_remote_catalog(static, [], given.config_models)
        pricing = given.pricing or PricingTable(
            given.rules,
            CatalogIndex(catalog),
            declared={(m.provider, m.id): f"{m.provider} built-in models" for m in declared},
        )
        return self._make(
            RuntimeParts(
                registry=ProviderRegistry(
                    given.adapters,
                    given.factories,
                    unavailable=given.unavailable,
                    fallback=given.fallback,
                    inactive=given.inactive,
                ),
                static_catalog=static,
                catalog=catalog,
                config_models=given.config_models,
                pricing=pricing,
                tokens=given.tokens,
                closers=given.closers,
                describe=given.describe,
                faults=given.faults,
            )
        )


def _static_models(adapter: ProviderAdapter) -> list[ModelInfo]:
    """Models an adapter declares itself (the offline echo provider does)."""
    declare = getattr(adapter, "static_models", None)
    return list(declare()) if callable(declare) else []
