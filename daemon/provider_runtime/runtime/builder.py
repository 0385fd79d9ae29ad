"""``ProviderRuntimeBuilder``: assembles adapters, catalog, pricing, credentials and transports.

``config(RuntimeConfig)`` is the usual path (the daemon and CLI use it); every part can also be
given explicitly, which is how tests and library users inject mocks.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..catalog import load_static_catalog, merge_static_and_remote_catalog
from ..core.errors import ConfigError, ProviderRuntimeError
from ..core.traits import ProviderAdapter, TokenProvider
from ..core.types import ModelCatalog, ModelInfo
from ..pricing import PricingTable
from ..registry import ProviderRegistry
from ..transport.http import HttpTransport, new_client
from .runtime import EntryFault, ProviderRuntime

if TYPE_CHECKING:
    from ..config import ProviderConfig, RuntimeConfig

__all__ = ["ProviderRuntimeBuilder"]


class ProviderRuntimeBuilder:
    def __init__(self) -> None:
        self._adapters: list[ProviderAdapter] = []
        self._catalog: ModelCatalog | None = None
        self._pricing: PricingTable | None = None
        self._tokens: TokenProvider | None = None
        self._transport: HttpTransport | None = None
        self._config: RuntimeConfig | None = None

    def adapter(self, adapter: ProviderAdapter) -> ProviderRuntimeBuilder:
        self._adapters.append(adapter)
        return self

    def catalog(self, catalog: ModelCatalog) -> ProviderRuntimeBuilder:
        self._catalog = catalog
        return self

    def pricing_table(self, table: PricingTable) -> ProviderRuntimeBuilder:
        self._pricing = table
        return self

    def token_provider(self, tokens: TokenProvider) -> ProviderRuntimeBuilder:
        self._tokens = tokens
        return self

    def transport(self, transport: HttpTransport) -> ProviderRuntimeBuilder:
        """The transport adapters built from the config share (default: a new pooled client)."""
        self._transport = transport
        return self

    def config(self, config: RuntimeConfig) -> ProviderRuntimeBuilder:
        """Adapters for every configured provider, its price rules, models and credentials."""
        self._config = config
        return self

    def build(self) -> ProviderRuntime:
        closers: list[Callable[[], Awaitable[None]]] = []  # grows as transports are made
        adapters = list(self._adapters)
        factories: dict[str, Callable[[], ProviderAdapter]] = {}
        config = self._config
        if config is not None:
            factories = _adapters_from_config(config, self._transport, closers)
            for pid in [pid for pid, pc in config.providers.items() if pc.type == "echo"]:
                adapters.append(factories.pop(pid)())  # declares models for the catalog: now
        static = self._catalog if self._catalog is not None else load_static_catalog()
        declared = [m for a in adapters for m in _static_models(a)]
        if declared:
            static = ModelCatalog(models=[*static.models, *declared], snapshot=static.snapshot)
        config_models = list(config.models) if config is not None else []
        runtime_catalog = merge_static_and_remote_catalog(static, [], config_models)
        pricing = self._pricing or PricingTable(
            config.pricing if config is not None else (),
            runtime_catalog,
            declared={(m.provider, m.id): f"{m.provider} built-in models" for m in declared},
        )
        tokens = self._tokens
        if tokens is None:
            if config is None:
                raise ConfigError("a runtime needs a config or an explicit token provider")
            from ..credentials import ConfigTokenProvider

            tokens = ConfigTokenProvider(config)
        describe = None
        unavailable: dict[str, ProviderRuntimeError] = {}
        fallback: ProviderRuntimeError | None = None
        faults: list[EntryFault] = []
        if config is not None:
            from ..config import describe_providers

            describe = functools.partial(describe_providers, config)
            unavailable, fallback, faults = _config_faults(config)
        return ProviderRuntime(
            registry=ProviderRegistry(
                adapters, factories, unavailable=unavailable, fallback=fallback
            ),
            faults=faults,
            static_catalog=static,
            catalog=runtime_catalog,
            config_models=config_models,
            pricing=pricing,
            tokens=tokens,
            closers=closers,
            describe=describe,
        )


def _config_faults(
    config: RuntimeConfig,
) -> tuple[dict[str, ProviderRuntimeError], ProviderRuntimeError | None, list[EntryFault]]:
    """What the config's problems put out of service: providers, everything (the file), or
    the calls a bad ``[[pricing]]`` / ``[[models]]`` entry covers."""
    unavailable: dict[str, ProviderRuntimeError] = {}
    fallback: ProviderRuntimeError | None = None
    faults: list[EntryFault] = []
    for problem in config.problems:
        if problem.scope == "provider" and problem.provider is not None:
            unavailable.setdefault(problem.provider, problem.error())
        elif problem.scope == "file" and fallback is None:
            fallback = problem.error()
        elif problem.scope in ("pricing", "models"):
            faults.append(EntryFault(problem.provider, problem.model, problem.error()))
    return unavailable, fallback, faults


def _static_models(adapter: ProviderAdapter) -> list[ModelInfo]:
    """Models an adapter declares itself (the offline echo provider does)."""
    declare = getattr(adapter, "static_models", None)
    return list(declare()) if callable(declare) else []


def _adapters_from_config(
    config: RuntimeConfig,
    shared: HttpTransport | None,
    closers: list[Callable[[], Awaitable[None]]],
) -> dict[str, Callable[[], ProviderAdapter]]:
    """A factory per configured provider: its module is imported and its transport (a new
    pooled client, TLS context included) made only when a call first needs it."""
    transports: dict[bool, HttpTransport] = {}

    def transport_for(verify: bool) -> HttpTransport:
        if verify and shared is not None:
            return shared
        if verify not in transports:
            transports[verify] = HttpTransport(client=new_client(verify=verify))
            closers.append(transports[verify].aclose)
        return transports[verify]

    def factory(pid: str, pc: ProviderConfig) -> Callable[[], ProviderAdapter]:
        return lambda: _adapter(pid, pc, transport_for(pc.verify_tls))

    return {pid: factory(pid, pc) for pid, pc in sorted(config.providers.items())}


def _adapter(pid: str, pc: ProviderConfig, transport: HttpTransport) -> ProviderAdapter:
    common: dict[str, Any] = {
        "provider_id": pid,
        "headers": pc.headers,
        "timeout": pc.timeout,
        "retry": pc.retry_policy(),
    }
    if pc.base_url:
        common["base_url"] = pc.base_url
    if pc.type == "echo":
        from ..providers.echo import EchoAdapter

        return EchoAdapter(provider_id=pid)
    if pc.type == "anthropic":
        from ..providers.anthropic import AnthropicAdapter

        return AnthropicAdapter(transport, anthropic_version=pc.anthropic_version, **common)
    if pc.type == "openrouter":
        from ..providers.openrouter import OpenRouterAdapter

        return OpenRouterAdapter(
            transport, http_referer=pc.http_referer, app_title=pc.app_title, **common
        )
    from ..providers.openai import OpenAIAdapter

    # Quirks describe compatible servers only; the official API gets its per-model rules.
    quirks = pc.quirks if pc.type == "openai_compatible" else None
    return OpenAIAdapter(transport, quirks=quirks, **common)
