"""Where a price comes from: the user's rules first (exact id, then glob), then the catalog.

The catalog is handed in (``CatalogPrices``, e.g. ``catalog.CatalogIndex``) by whoever builds the
runtime: pricing depends on the core types alone (the plan's Stage 7).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import NamedTuple, Protocol

from ..core.types import ModelInfo, ModelPricing, PricingSource
from .rules import PriceRule

__all__ = ["CatalogPrices", "PriceLookup", "PricingTable"]

_GLOB_CHARS = frozenset("*?[")


class CatalogPrices(Protocol):
    """Catalog entries by provider and model id (undated ids resolved), and the data's date."""

    @property
    def snapshot(self) -> str | None: ...

    def get(self, provider: str, model_id: str) -> ModelInfo | None: ...


class PriceLookup(NamedTuple):
    """The prices found for a model and their provenance (``snapshot``: catalog data version)."""

    pricing: ModelPricing
    source: PricingSource
    snapshot: str | None


def _is_glob(pattern: str) -> bool:
    return not _GLOB_CHARS.isdisjoint(pattern)


def _has_any_price(pricing: ModelPricing) -> bool:
    components = (pricing.input, pricing.output, pricing.cache_read, pricing.cache_write)
    return bool(pricing.tiers) or any(c is not None for c in components)


def _catalog_snapshot(
    source: str, catalog_snapshot: str | None, declared: str | None
) -> str | None:
    # Only entries from the bundled data carry the data's snapshot; the others say where they
    # came from (an adapter's own models, a remote list, the config), since no date is known.
    if source == "static":
        return declared if declared is not None else catalog_snapshot
    return "remote model list" if source == "remote" else "config models"


class PricingTable:
    """User price rules (in config order, indexed once here) backed by a catalog's prices.

    ``declared`` names the provenance of catalog entries an adapter declared itself rather than
    the bundled data (the echo provider's models), keyed by ``(provider, id)``.
    """

    __slots__ = ("_catalog", "_declared", "_exact", "_globs")

    def __init__(
        self,
        rules: Sequence[PriceRule] = (),
        catalog: CatalogPrices | None = None,
        *,
        declared: Mapping[tuple[str, str], str] | None = None,
    ) -> None:
        exact: dict[tuple[str, str], PriceRule] = {}
        for rule in rules:
            exact.setdefault((rule.provider, rule.model), rule)
        self._exact = exact
        self._globs = [rule for rule in rules if _is_glob(rule.model)]
        self._catalog = catalog
        self._declared = dict(declared or {})

    def lookup(self, provider: str, model: str) -> PriceLookup | None:
        """Prices for ``provider``/``model``: first exact rule, first matching glob, catalog."""
        rule = self._exact.get((provider, model))
        if rule is None:
            rule = next(
                (r for r in self._globs if r.provider == provider and fnmatchcase(model, r.model)),
                None,
            )
        if rule is not None:
            return PriceLookup(rule.pricing, PricingSource.USER_CONFIG, None)
        if self._catalog is None:
            return None
        info = self._catalog.get(provider, model)
        if info is None or info.pricing is None or not _has_any_price(info.pricing):
            return None
        declared = self._declared.get((info.provider, info.id))
        snapshot = _catalog_snapshot(info.source, self._catalog.snapshot, declared)
        return PriceLookup(info.pricing, PricingSource.CATALOG, snapshot)
