"""Tolerant msgspec Structs for OpenRouter's additions to the Chat Completions JSON.

Follows https://openrouter.ai/docs/api-reference/chat-completion and
https://openrouter.ai/docs/api-reference/list-available-models. The Chat Completions base shape
is the OpenAI one (``providers.openai.wire``); only what OpenRouter adds is declared here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import msgspec

from ..openai.wire import OpenAIChatCompletion, OpenAIChoice, OpenAIResponseMessage, OpenAIUsage

__all__ = [
    "OpenRouterArchitecture",
    "OpenRouterChatCompletion",
    "OpenRouterChoice",
    "OpenRouterCostDetails",
    "OpenRouterModel",
    "OpenRouterModelList",
    "OpenRouterPricing",
    "OpenRouterPricingOverride",
    "OpenRouterResponseMessage",
    "OpenRouterTopProvider",
    "OpenRouterUsage",
]


class OpenRouterResponseMessage(OpenAIResponseMessage, kw_only=True):
    # Typed objects (reasoning.text / reasoning.summary / reasoning.encrypted / ...), kept as
    # dicts: they are replayed to OpenRouter exactly as received.
    reasoning_details: list[dict[str, Any]] | None = None


class OpenRouterChoice(OpenAIChoice, kw_only=True):
    message: OpenRouterResponseMessage = msgspec.field(default_factory=OpenRouterResponseMessage)
    native_finish_reason: str | None = None
    error: dict[str, Any] | None = None  # an upstream failure after generation started


class OpenRouterCostDetails(msgspec.Struct, kw_only=True):
    """What the upstream provider charged (USD); meaningful for BYOK calls."""

    upstream_inference_cost: Decimal | None = None
    upstream_inference_prompt_cost: Decimal | None = None
    upstream_inference_completions_cost: Decimal | None = None


class OpenRouterUsage(OpenAIUsage, kw_only=True):
    cost: Decimal | None = None  # USD, decoded from the JSON number's exact text
    is_byok: bool | None = None  # Bring Your Own Key: `cost` is then only OpenRouter's fee
    cost_details: OpenRouterCostDetails | None = None


class OpenRouterChatCompletion(OpenAIChatCompletion, kw_only=True):
    choices: Sequence[OpenRouterChoice] | None = None
    usage: OpenRouterUsage | None = None
    error: dict[str, Any] | None = None


class OpenRouterPricingOverride(msgspec.Struct, kw_only=True):
    prompt: str | None = None
    completion: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None
    min_prompt_tokens: float | None = None
    utc_start: float | None = None
    utc_end: float | None = None


class OpenRouterPricing(msgspec.Struct, kw_only=True):
    """USD per token, as decimal strings (``"-1"``: variable, e.g. router models)."""

    prompt: str | None = None
    completion: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None
    overrides: list[OpenRouterPricingOverride] | None = None


class OpenRouterArchitecture(msgspec.Struct, kw_only=True):
    input_modalities: list[str] | None = None


class OpenRouterTopProvider(msgspec.Struct, kw_only=True):
    context_length: int | None = None
    max_completion_tokens: int | None = None


class OpenRouterModelReasoning(msgspec.Struct, kw_only=True):
    """``Model.reasoning`` (``ModelReasoning``): the model's effort allowlist and controls."""

    supported_efforts: list[str] | None = None  # strongest first; null: no allowlist
    mandatory: bool | None = None  # true: reasoning cannot be disabled, effort `none` rejected
    supports_max_tokens: bool | None = None  # true: `reasoning.max_tokens` accepted


class OpenRouterModel(msgspec.Struct, kw_only=True):
    id: str = ""
    name: str | None = None
    context_length: int | None = None
    pricing: OpenRouterPricing | None = None
    architecture: OpenRouterArchitecture | None = None
    top_provider: OpenRouterTopProvider | None = None
    supported_parameters: list[str] | None = None
    reasoning: OpenRouterModelReasoning | None = None


class OpenRouterLinks(msgspec.Struct, kw_only=True):
    next: str | None = None


class OpenRouterModelList(msgspec.Struct, kw_only=True):
    data: list[OpenRouterModel] | None = None
    links: OpenRouterLinks | None = None
