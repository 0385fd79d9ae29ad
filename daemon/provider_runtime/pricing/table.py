"""Where a price comes from: the user's rules first (exact id, then glob), then the catalog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import NamedTuple

from ..catalog.index import CatalogIndex
from ..core.types import ModelCatalog, ModelPricing, PricingSource
from .rules import PriceRule

__all__ = ["PriceLookup", "PricingTable"]

_GLOB_CHARS = frozenset("*?[")


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
    """User price rules (in config order) backed by a catalog; both indexed once, here.

    ``declared`` names the provenance of catalog entries an adapter declared itself rather than
    the bundled data (the echo provider's models), keyed by ``(provider, id)``.
    """

    __slots__ = ("_catalog", "_declared", "_exact", "_globs", "_index")

    def __init__(
        self,
        rules: Sequence[PriceRule] = (),
        catalog: ModelCatalog | None = None,
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
        self._index = CatalogIndex(catalog) if catalog is not None else None

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
        if self._index is None or self._catalog is None:
            return None
        info = self._index.get(provider, model)
        if info is None or info.pricing is None or not _has_any_price(info.pricing):
            return None
        declared = self._declared.get((info.provider, info.id))
        snapshot = _catalog_snapshot(info.source, self._catalog.snapshot, declared)
        return PriceLookup(info.pricing, PricingSource.CATALOG, snapshot)
