"""Dictionary indexes over a ``ModelCatalog`` so lookups are O(1), built once per catalog object.

Lookup rule (documented in protocol.md §4): the exact ``(provider, id)`` first; only when that
is absent, the id with a trailing date stamp removed (``-20250929`` or ``-2025-09-29``).
"""

from __future__ import annotations

import re
from collections import OrderedDict

from ..core.types import ModelCatalog, ModelInfo

__all__ = ["CatalogIndex", "catalog_index", "find_model", "undated_model_id"]

_DATE_SUFFIX = re.compile(r"^(?P<base>.+?)-(?:\d{8}|\d{4}-\d{2}-\d{2})$")
_CACHE_SIZE = 8


def undated_model_id(model_id: str) -> str | None:
    """``claude-sonnet-4-5-20250929`` -> ``claude-sonnet-4-5``; None when there is no date stamp."""
    match = _DATE_SUFFIX.match(model_id)
    return match.group("base") if match else None


class CatalogIndex:
    """Read-only indexes of one catalog: by ``(provider, id)`` and by bare id.

    It is what pricing reads catalog prices through (``pricing.CatalogPrices``), with the
    catalog's ``snapshot``: pricing never imports the catalog itself.
    """

    __slots__ = ("_by_key", "_providers_by_id", "snapshot")

    def __init__(self, catalog: ModelCatalog) -> None:
        by_key: dict[tuple[str, str], ModelInfo] = {}
        providers_by_id: dict[str, set[str]] = {}
        for model in catalog.models:
            by_key.setdefault((model.provider, model.id), model)
            providers_by_id.setdefault(model.id, set()).add(model.provider)
        self._by_key = by_key
        self._providers_by_id = {k: sorted(v) for k, v in providers_by_id.items()}
        self.snapshot = catalog.snapshot

    def get(self, provider: str, model_id: str) -> ModelInfo | None:
        found = self._by_key.get((provider, model_id))
        if found is None and (base := undated_model_id(model_id)) is not None:
            found = self._by_key.get((provider, base))
        return found

    def providers_for(self, model_id: str) -> list[str]:
        """Providers listing ``model_id`` (sorted); the undated id's providers if none list it."""
        exact = self._providers_by_id.get(model_id)
        if exact:
            return list(exact)
        base = undated_model_id(model_id)
        return list(self._providers_by_id.get(base, ())) if base is not None else []


# Keyed on object identity (catalogs hold lists, so they are not hashable); the catalog itself is
# kept in the entry so its id cannot be reused by another object while the entry lives.
_INDEXES: OrderedDict[int, tuple[ModelCatalog, CatalogIndex]] = OrderedDict()


def catalog_index(catalog: ModelCatalog) -> CatalogIndex:
    """The index of ``catalog``, built on first use and kept for the last few catalogs seen."""
    key = id(catalog)
    entry = _INDEXES.get(key)
    if entry is not None and entry[0] is catalog:
        _INDEXES.move_to_end(key)
        return entry[1]
    index = CatalogIndex(catalog)
    _INDEXES[key] = (catalog, index)
    while len(_INDEXES) > _CACHE_SIZE:
        _INDEXES.popitem(last=False)
    return index


def find_model(catalog: ModelCatalog, provider: str, model_id: str) -> ModelInfo | None:
    """The catalog entry for ``provider``/``model_id`` (exact id, else its undated id)."""
    return catalog_index(catalog).get(provider, model_id)
