"""User price rules: a provider, a model id or fnmatch glob, and its per-million-token prices."""

from __future__ import annotations

from ..core.types import CanonicalStruct, ModelPricing

__all__ = ["PriceRule"]


class PriceRule(CanonicalStruct, frozen=True):
    provider: str
    model: str  # exact model id, or an fnmatch glob like "gpt-4o*"
    pricing: ModelPricing
