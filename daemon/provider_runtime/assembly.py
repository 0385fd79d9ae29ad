"""Assembly: configuration + credentials + adapters -> registry -> runtime, in one place.

Lower layers never import the config: this module reads it and hands each part over
explicitly (``ProviderRuntime.builder()``). Start-up stays lazy: the runtime is imported when a
runtime is first built, and a provider's modules and transport (httpx, TLS context) when a
call first needs that provider. Those deferred imports are the only ones below; the isolation
test reads them like any other.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, TypedDict

from .config import ProviderConfig, RuntimeConfig, describe_providers
from .core.errors import ConfigError
from .core.traits import ProviderAdapter, TokenProvider
from .core.types import ModelCatalog
from .credentials import ConfigTokenProvider

if TYPE_CHECKING:
    from .runtime import ProviderRuntime, ProviderRuntimeBuilder
    from .transport.http import HttpTransport, RetryPolicy

__all__ = ["ADAPTERS", "build_runtime", "retry_policy"]

Closers = list[Callable[[], Awaitable[None]]]
TransportFor = Callable[[bool], "HttpTransport"]


def build_runtime(
    config: RuntimeConfig,
    *,
    tokens: TokenProvider | None = None,
    transport: HttpTransport | None = None,
    catalog: ModelCatalog | None = None,
) -> ProviderRuntime:
    """The runtime for ``config``: every configured provider, its price rules, models and
    credentials. ``tokens`` replaces the config's credential sources, ``transport`` the pooled
    client made for providers that verify TLS, ``catalog`` the bundled catalog."""
    from .runtime import ProviderRuntime  # deferred: the daemon answers before it needs it

    closers: Closers = []  # grows as adapters (and their transports) are made on demand
    builder = (
        ProviderRuntime.builder()
        .token_provider(tokens if tokens is not None else ConfigTokenProvider(config))
        .config_models(config.models)
        .price_rules(config.pricing)
        .closers(closers)
        .describe(functools.partial(describe_providers, config))
    )
    if catalog is not None:
        builder.catalog(catalog)
    _config_faults(config, builder)
    transport_for = _transports(transport, closers)
    for pid, pc in sorted(config.providers.items()):
        make = functools.partial(_adapter, pid, pc, transport_for)
        if pc.type == "echo":
            builder.adapter(make())  # declares its models for the catalog: built now
        else:
            builder.adapter_factory(pid, make)
    return builder.build()


def _config_faults(config: RuntimeConfig, builder: ProviderRuntimeBuilder[ProviderRuntime]) -> None:
    """What the config's problems put out of service: providers, everything (the file), or
    the calls a bad ``[[pricing]]`` / ``[[models]]`` entry covers; and the presets left off."""
    from .runtime.faults import EntryFault  # deferred with the runtime

    for pid, why in sorted(config.inactive.items()):
        builder.inactive(pid, ConfigError(why, path=config.path, key=f"providers.{pid}"))
    fallback_set = False
    for problem in config.problems:
        if problem.scope == "provider" and problem.provider is not None:
            builder.unavailable(problem.provider, problem.error())
        elif problem.scope == "file" and not fallback_set:
            builder.fallback(problem.error())
            fallback_set = True
        elif problem.scope in ("pricing", "models"):
            builder.entry_fault(EntryFault(problem.provider, problem.model, problem.error()))


def _transports(shared: HttpTransport | None, closers: Closers) -> TransportFor:
    """One transport per TLS setting (a new connection pool), made on first use."""
    made: dict[bool, HttpTransport] = {}

    def transport_for(verify: bool) -> HttpTransport:
        from .transport.http import HttpTransport  # deferred: loads httpx
        from .transport.pool import new_sender

        if verify and shared is not None:
            return shared
        if verify not in made:
            client, pool = new_sender(verify=verify)
            made[verify] = HttpTransport(client=client, pool=pool)
            closers.append(made[verify].aclose)
        return made[verify]

    return transport_for


def _adapter(pid: str, pc: ProviderConfig, transport_for: TransportFor) -> ProviderAdapter:
    return ADAPTERS[pc.type](pid, pc, transport_for)


# ----------------------------------------------------------------- one registration per type
# Each imports its provider package when first called. A new native provider adds its package
# under providers/ and one line here; an OpenAI-compatible service is config (quirks), no code.


class _Endpoint(TypedDict, total=False):
    """What every HTTP adapter takes from its provider's config."""

    provider_id: str
    base_url: str
    headers: Mapping[str, str]
    timeout: float
    retry: RetryPolicy


def _common(pid: str, pc: ProviderConfig) -> _Endpoint:
    common: _Endpoint = {
        "provider_id": pid,
        "headers": pc.headers,
        "timeout": pc.timeout,
        "retry": retry_policy(pc),
    }
    if pc.base_url:
        common["base_url"] = pc.base_url
    return common


def retry_policy(pc: ProviderConfig) -> RetryPolicy:
    """The transport's retry policy from a provider's config."""
    from .transport.http import RetryPolicy  # deferred: loads httpx

    return RetryPolicy(
        max_retries=pc.max_retries, deadline=pc.retry_deadline, connect_timeout=pc.connect_timeout
    )


def _echo(pid: str, pc: ProviderConfig, transport_for: TransportFor) -> ProviderAdapter:
    from .providers.echo import EchoAdapter

    return EchoAdapter(provider_id=pid)


def _openai(pid: str, pc: ProviderConfig, transport_for: TransportFor) -> ProviderAdapter:
    from .providers.openai.adapter import OpenAIAdapter

    # Quirks describe compatible servers only; the official API gets its per-model rules.
    quirks = pc.quirks if pc.type == "openai_compatible" else None
    return OpenAIAdapter(
        transport_for(pc.verify_tls), quirks=quirks, api=pc.api, **_common(pid, pc)
    )


def _anthropic(pid: str, pc: ProviderConfig, transport_for: TransportFor) -> ProviderAdapter:
    from .providers.anthropic import AnthropicAdapter

    return AnthropicAdapter(
        transport_for(pc.verify_tls),
        anthropic_version=pc.anthropic_version,
        **_common(pid, pc),
    )


def _openrouter(pid: str, pc: ProviderConfig, transport_for: TransportFor) -> ProviderAdapter:
    from .providers.openrouter import OpenRouterAdapter

    return OpenRouterAdapter(
        transport_for(pc.verify_tls),
        http_referer=pc.http_referer,
        app_title=pc.app_title,
        **_common(pid, pc),
    )


def _bedrock(pid: str, pc: ProviderConfig, transport_for: TransportFor) -> ProviderAdapter:
    from .providers.bedrock import BedrockAdapter  # botocore only when a call is signed

    return BedrockAdapter(
        transport_for(pc.verify_tls),
        region=pc.region,
        profile=pc.aws_profile,
        **_common(pid, pc),
    )


def _google(pid: str, pc: ProviderConfig, transport_for: TransportFor) -> ProviderAdapter:
    from .providers.google import GoogleAdapter

    return GoogleAdapter(transport_for(pc.verify_tls), **_common(pid, pc))


def _azure(pid: str, pc: ProviderConfig, transport_for: TransportFor) -> ProviderAdapter:
    from .providers.azure import AzureOpenAIAdapter

    return AzureOpenAIAdapter(
        transport_for(pc.verify_tls),
        provider_id=pid,
        base_url=pc.base_url or "",  # load_config requires it for type azure
        auth=pc.auth or "api-key",
        api="responses" if pc.api == "responses" else "chat",
        api_version=pc.api_version,
        headers=pc.headers,
        timeout=pc.timeout,
        retry=retry_policy(pc),
    )


ADAPTERS: dict[str, Callable[[str, ProviderConfig, TransportFor], ProviderAdapter]] = {
    "echo": _echo,
    "openai": _openai,
    "openai_compatible": _openai,
    "anthropic": _anthropic,
    "openrouter": _openrouter,
    "bedrock": _bedrock,
    "google": _google,
    "azure": _azure,
}
