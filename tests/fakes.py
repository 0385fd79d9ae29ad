"""Test doubles honouring the core contracts: a scripted adapter and a dict token provider."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from provider_runtime.core import (
    AdapterContext,
    AssistantOutput,
    ConfigError,
    FinishReason,
    ModelInfo,
    ProviderCapabilities,
    ProviderRequest,
    ProviderResponse,
    Secret,
    TextPart,
    Usage,
)


@dataclass
class FakeAdapter:
    """Answers from ``reply`` (or echoes the request) and records what it was given."""

    id: str
    capabilities: ProviderCapabilities = field(default_factory=ProviderCapabilities)
    reply: Callable[[ProviderRequest, AdapterContext], ProviderResponse] | None = None
    models: list[ModelInfo] = field(default_factory=list)
    fail_discovery: Exception | None = None
    delay: float = 0.0
    calls: list[tuple[ProviderRequest, AdapterContext]] = field(default_factory=list)

    async def run(self, request: ProviderRequest, context: AdapterContext) -> ProviderResponse:
        self.calls.append((request, context))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.reply is not None:
            return self.reply(request, context)
        last = request.messages[-1].parts()[-1] if request.messages else None
        text = last.text if isinstance(last, TextPart) else ""
        return ProviderResponse(
            provider=self.id,
            model=context.model.id,
            output=AssistantOutput(content=[TextPart(text=f"{self.id}:{text}")]),
            finish_reason=FinishReason.STOP,
            finish_reason_raw="stop",
            usage=Usage(input_tokens=10, output_tokens=5, total_tokens=15),
        )

    async def discover_models(self, credential: Secret | None) -> list[ModelInfo]:
        if self.fail_discovery is not None:
            raise self.fail_discovery
        return list(self.models)


@dataclass
class DictTokens:
    """Credentials from a dict; a provider missing from it has none (ConfigError if required)."""

    keys: dict[str, str]
    required: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)

    async def get_token(self, provider: str) -> Secret | None:
        self.asked.append(provider)
        if provider in self.keys:
            return Secret(self.keys[provider])
        if provider in self.required:
            raise ConfigError(
                f"no credential for provider `{provider}`: set {provider.upper()}_KEY"
            )
        return None
