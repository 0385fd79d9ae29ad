"""The echo provider's models: one full-featured model and one without tools, vision or schemas."""

from __future__ import annotations

from ...core.types import ModelCapabilities, ModelInfo

__all__ = ["ECHO_MODELS", "echo_models"]

# (id, display name, context window, max output, capabilities). No prices on purpose: a call on
# an unpriced model shows the pricing.missing warning unless the user's config prices it.
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
            source="remote" if source == "remote" else "static",
        )
        for model_id, name, context, max_output, caps in ECHO_MODELS
    ]
