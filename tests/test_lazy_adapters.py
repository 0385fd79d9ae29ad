"""Adapters given as factories are built on first use; a config's providers are built lazily."""

from __future__ import annotations

from pathlib import Path

import pytest

from provider_runtime.assembly import build_runtime
from provider_runtime.config import load_config
from provider_runtime.core.errors import ConfigError, RoutingError
from provider_runtime.core.types import DiscoveryOptions, ModelCatalog, ProviderCapabilities
from provider_runtime.providers.echo import EchoAdapter
from provider_runtime.registry import ProviderRegistry

from .fakes import DictTokens, FakeAdapter


class Counting:
    def __init__(self, adapter: FakeAdapter) -> None:
        self.adapter, self.made = adapter, 0

    def __call__(self) -> FakeAdapter:
        self.made += 1
        return self.adapter


def test_a_factory_runs_once_on_first_use() -> None:
    alpha = Counting(FakeAdapter("alpha"))
    registry = ProviderRegistry([FakeAdapter("beta")], {"alpha": alpha})
    assert registry.ids == ["alpha", "beta"]
    assert alpha.made == 0
    assert registry.resolve_adapter("alpha") is alpha.adapter
    assert registry.resolve_adapter("alpha") is alpha.adapter
    assert alpha.made == 1
    with pytest.raises(RoutingError, match="configured providers: alpha, beta"):
        registry.resolve_adapter("gamma")


def test_routing_by_prefix_does_not_build_the_adapter() -> None:
    alpha = Counting(FakeAdapter("alpha"))
    registry = ProviderRegistry((), {"alpha": alpha})
    ref = registry.resolve_provider("alpha/model-1", ModelCatalog(models=[]))
    assert (ref.provider, ref.id) == ("alpha", "model-1")
    assert alpha.made == 0


def test_an_id_given_twice_is_refused_whether_adapter_or_factory() -> None:
    with pytest.raises(ConfigError, match="registered twice"):
        ProviderRegistry([FakeAdapter("alpha")], {"alpha": Counting(FakeAdapter("alpha"))})
    registry = ProviderRegistry((), {"alpha": Counting(FakeAdapter("alpha"))})
    with pytest.raises(ConfigError, match="registered twice"):
        registry.register(FakeAdapter("alpha"))


async def test_discovery_and_build_all_build_every_adapter() -> None:
    found = FakeAdapter("alpha", capabilities=ProviderCapabilities(remote_discovery=True))
    alpha, beta = Counting(found), Counting(FakeAdapter("beta"))
    registry = ProviderRegistry((), {"alpha": alpha, "beta": beta})
    await registry.discover_models(DiscoveryOptions(), DictTokens({}))
    assert (alpha.made, beta.made) == (1, 1)
    registry.build_all()
    assert (alpha.made, beta.made) == (1, 1)


async def test_a_runtime_from_config_builds_only_the_adapters_its_calls_use(
    tmp_path: Path,
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[providers.openai]\napi_key = "sk-test-123456"\n\n'
        '[providers.anthropic]\napi_key = "sk-ant-123456"\n'
    )
    path.chmod(0o600)
    runtime = build_runtime(load_config(path, env={}))
    registry = runtime.registry
    assert {"openai", "anthropic", "echo"} <= set(registry.ids)
    assert set(registry._adapters) == {"echo"}  # declares its models: built at once
    assert isinstance(registry.resolve_adapter("echo"), EchoAdapter)
    openai = registry.resolve_adapter("openai")
    assert openai.id == "openai"
    assert "anthropic" not in registry._adapters
    transport = openai._http.transport  # made with the adapter, on first use
    sender = transport.pool if transport.pool is not None else transport.client
    assert sender is not None and not sender.is_closed
    await runtime.aclose()
    assert sender.is_closed
