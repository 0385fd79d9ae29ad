"""Pricing with provenance: user rules, then the catalog; exact Decimal cost per usage component."""

from __future__ import annotations

from .estimate import effective_prices, estimate_cost
from .rules import PriceRule
from .table import CatalogPrices, PriceLookup, PricingTable

__all__ = [
    "CatalogPrices",
    "PriceLookup",
    "PriceRule",
    "PricingTable",
    "effective_prices",
    "estimate_cost",
]
