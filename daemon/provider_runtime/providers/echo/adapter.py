"""``EchoAdapter``: the offline provider behind the ``ProviderAdapter`` contract (glue only)."""

from __future__ import annotations

import asyncio

from ...core.types import (
    AdapterContext,
    CacheSupport,
    ModelInfo,
    ProviderCapabilities,
    ProviderRequest,
    ProviderResponse,
    Secret,
    SystemPlacement,
)
from .answer import answer_echo_request, echo_delay
from .models import echo_models

__all__ = ["EchoAdapter"]

_CAPABILITIES = ProviderCapabilities(
    tools=True,
    vision=True,
    json_mode=True,
    json_schema=True,
    reasoning=False,
    reasoning_replay=False,
    system_placement=SystemPlacement.INLINE,
    requires_alternation=False,
    tool_call_id_max_length=64,
    remote_discovery=True,
    # Every cache control, so that clients can see their intent arrive (answer.py reports it).
    cache=(
        CacheSupport(
            breakpoints=None, ttls=("5m", "1h"), cache_key=True, retention=("extended", "none")
        ),
    ),
)


class EchoAdapter:
    """Answers every call from the request itself: no key, no network, same input same output."""

    def __init__(self, provider_id: str = "echo") -> None:
        self._id = provider_id

    @property
    def id(self) -> str:
        return self._id

    @property
    def capabilities(self) -> ProviderCapabilities:
        return _CAPABILITIES

    def static_models(self) -> list[ModelInfo]:
        """The models this provider declares; the runtime merges them into its catalog."""
        return echo_models(self._id)

    async def run(self, request: ProviderRequest, context: AdapterContext) -> ProviderResponse:
        delay = echo_delay(request)
        if delay > 0:
            await asyncio.sleep(delay)  # `/sleep N`: lets clients exercise cancellation offline
        info = context.model_info
        return answer_echo_request(
            request,
            provider=self._id,
            model=context.model.id,
            context_window=info.context_window if info is not None else None,
        )

    async def discover_models(self, credential: Secret | None) -> list[ModelInfo]:
        """The same models, as a remote listing would report them (nothing is fetched)."""
        return echo_models(self._id, source="remote")

    def __repr__(self) -> str:
        return f"EchoAdapter(provider_id={self._id!r})"
