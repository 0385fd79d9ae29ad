"""Model catalog: the bundled static data, static-first merging, lookup, routing and export."""

from __future__ import annotations

from .effort import effort_for_model, nearest_effort
from .index import CatalogIndex, catalog_index, find_model, undated_model_id
from .merge import merge_static_and_remote_catalog
from .resolve import check_model_reference, resolve_model_provider
from .static import catalog_to_builtins, export_catalog_json, load_static_catalog

__all__ = [
    "CatalogIndex",
    "catalog_index",
    "catalog_to_builtins",
    "check_model_reference",
    "effort_for_model",
    "export_catalog_json",
    "find_model",
    "load_static_catalog",
    "merge_static_and_remote_catalog",
    "nearest_effort",
    "resolve_model_provider",
    "undated_model_id",
]
