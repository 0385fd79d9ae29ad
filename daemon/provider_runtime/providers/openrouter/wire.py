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

from ..openai.wire import ChatCompletion, Choice, ResponseMessage, UsageWire

__all__ = [
    "Architecture",
    "CostDetails",
    "ORChatCompletion",
    "ORChoice",
    "ORModel",
    "ORModelList",
    "ORResponseMessage",
    "ORUsage",
    "Pricing",
    "PricingOverride",
    "TopProvider",
]


class ORResponseMessage(ResponseMessage, kw_only=True):
    # Typed objects (reasoning.text / reasoning.summary / reasoning.encrypted / ...), kept as
    # dicts: they are replayed to OpenRouter exactly as received.
    reasoning_details: list[dict[str, Any]] | None = None


class ORChoice(Choice, kw_only=True):
    message: ORResponseMessage = msgspec.field(default_factory=ORResponseMessage)
    native_finish_reason: str | None = None
    error: dict[str, Any] | None = None  # an upstream failure after generation started


class CostDetails(msgspec.Struct, kw_only=True):
    """What the upstream provider charged (USD); meaningful for BYOK calls."""

    upstream_inference_cost: Decimal | None = None
    upstream_inference_prompt_cost: Decimal | None = None
    upstream_inference_completions_cost: Decimal | None = None


class ORUsage(UsageWire, kw_only=True):
    cost: Decimal | None = None  # USD, decoded from the JSON number's exact text
    is_byok: bool | None = None  # Bring Your Own Key: `cost` is then only OpenRouter's fee
    cost_details: CostDetails | None = None


class ORChatCompletion(ChatCompletion, kw_only=True):
    choices: Sequence[ORChoice] | None = None
    usage: ORUsage | None = None
    error: dict[str, Any] | None = None


class PricingOverride(msgspec.Struct, kw_only=True):
    prompt: str | None = None
    completion: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None
    min_prompt_tokens: float | None = None
    utc_start: float | None = None
    utc_end: float | None = None


class Pricing(msgspec.Struct, kw_only=True):
    """USD per token, as decimal strings (``"-1"``: variable, e.g. router models)."""

    prompt: str | None = None
    completion: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None
    overrides: list[PricingOverride] | None = None


class Architecture(msgspec.Struct, kw_only=True):
    input_modalities: list[str] | None = None


class TopProvider(msgspec.Struct, kw_only=True):
    context_length: int | None = None
    max_completion_tokens: int | None = None


class ORModel(msgspec.Struct, kw_only=True):
    id: str = ""
    name: str | None = None
    context_length: int | None = None
    pricing: Pricing | None = None
    architecture: Architecture | None = None
    top_provider: TopProvider | None = None
    supported_parameters: list[str] | None = None


class Links(msgspec.Struct, kw_only=True):
    next: str | None = None


class ORModelList(msgspec.Struct, kw_only=True):
    data: list[ORModel] | None = None
    links: Links | None = None
