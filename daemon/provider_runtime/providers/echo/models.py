"""The echo provider's models: one full-featured model and one without tools, vision or schemas."""

from __future__ import annotations

from decimal import Decimal

from ...core.types import ModelCapabilities, ModelInfo, ModelPricing

__all__ = ["ECHO_MODELS", "ECHO_PRICING", "echo_models"]

# An offline answer costs nothing: every listed model is priced at zero, so its calls are priced
# from the catalog ($0) without a pricing.missing warning. Echo answers any other id too; such an
# unlisted id has no price, which is how tests reach the unpriced path (e.g. `echo/echo-unpriced`).
ECHO_PRICING = ModelPricing(
    input=Decimal(0),
    output=Decimal(0),
    cache_read=Decimal(0),
    cache_write=Decimal(0),
    cache_write_1h=Decimal(0),
)

# (id, display name, context window, max output, capabilities).
ECHO_MODELS: tuple[tuple[str, str, int, int, ModelCapabilities], ...] = (
    (
        "echo-1",
        "Echo 1 (offline)",
        32_768,
        4_096,
        ModelCapabilities(tools=True, vision=True, json_schema=True, reasoning=False),
    ),
    (
        "echo-lite",
        "Echo Lite (offline, text only)",
        8_192,
        1_024,
        ModelCapabilities(tools=False, vision=False, json_schema=False, reasoning=False),
    ),
)


def echo_models(provider_id: str, source: str = "static") -> list[ModelInfo]:
    """The echo models as catalog entries under ``provider_id``."""
    return [
        ModelInfo(
            provider=provider_id,
            id=model_id,
            display_name=name,
            context_window=context,
            max_output_tokens=max_output,
            capabilities=caps,
            pricing=ECHO_PRICING,
            source="remote" if source == "remote" else "static",
        )
        for model_id, name, context, max_output, caps in ECHO_MODELS
    ]
