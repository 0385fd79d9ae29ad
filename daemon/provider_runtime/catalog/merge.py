"""Static-first catalog merge: static entries win, remote ones fill gaps, config overrides both.

Pure: the same three inputs always give the same catalog, sorted by ``(provider, id)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import msgspec

from ..core.types import ModelCapabilities, ModelCatalog, ModelInfo, ModelPricing

__all__ = ["merge_static_and_remote_catalog"]

Source = Literal["static", "remote", "config"]
_INFO_SCALARS = ("display_name", "context_window", "max_output_tokens")
_PRICE_SCALARS = ("input", "output", "cache_read", "cache_write", "cache_write_1h")
# Every capability is filled one by one; a list (the efforts, the modes) counts as one value.
_CAPABILITIES = tuple(ModelCapabilities.__struct_fields__)


def _combine_fields(
    base: Any, other: Any, names: Sequence[str], *, override: bool
) -> dict[str, Any]:
    """Field values where ``override`` lets ``other``'s non-None win, else only fills Nones."""
    changes: dict[str, Any] = {}
    for name in names:
        mine, theirs = getattr(base, name), getattr(other, name)
        if theirs is not None and (mine is None or (override and mine != theirs)):
            changes[name] = theirs
    return changes


def _combine_pricing(
    base: ModelPricing | None, other: ModelPricing | None, *, override: bool
) -> ModelPricing | None:
    if other is None:
        return base
    if base is None:
        return other
    changes = _combine_fields(base, other, _PRICE_SCALARS, override=override)
    if other.tiers and (not base.tiers or override):
        changes["tiers"] = other.tiers
    return msgspec.structs.replace(base, **changes) if changes else base


def _combine(base: ModelInfo, other: ModelInfo, *, override: bool) -> ModelInfo:
    """``base`` with ``other``'s values: filling its unknowns, or (``override``) replacing."""
    changes = _combine_fields(base, other, _INFO_SCALARS, override=override)
    caps = _combine_fields(base.capabilities, other.capabilities, _CAPABILITIES, override=override)
    if caps:
        changes["capabilities"] = msgspec.structs.replace(base.capabilities, **caps)
    pricing = _combine_pricing(base.pricing, other.pricing, override=override)
    if pricing is not base.pricing:
        changes["pricing"] = pricing
    return msgspec.structs.replace(base, **changes) if changes else base


def _with_source(model: ModelInfo, source: Source) -> ModelInfo:
    return model if model.source == source else msgspec.structs.replace(model, source=source)


def merge_static_and_remote_catalog(
    static: ModelCatalog,
    remote: Sequence[ModelInfo],
    config_models: Sequence[ModelInfo] = (),
) -> ModelCatalog:
    """Merge three model sources into one catalog (rules in protocol.md §4).

    - ``static`` entries come first and keep every value they have (and their ``source``).
    - ``remote`` entries add models static lacks and fill fields static leaves None, including
      single capabilities and single price components; a second remote entry for the same
      model only fills what is still None.
    - ``config_models`` override both, field by field (their non-None values win); an entry
      config touched gets ``source="config"``, a model only remote knows ``source="remote"``.
    """
    merged: dict[tuple[str, str], ModelInfo] = {}
    for model in static.models:
        key = (model.provider, model.id)
        merged[key] = _combine(merged[key], model, override=False) if key in merged else model
    for model in remote:
        key = (model.provider, model.id)
        if key in merged:
            merged[key] = _combine(merged[key], model, override=False)
        else:
            merged[key] = _with_source(model, "remote")
    for model in config_models:
        key = (model.provider, model.id)
        if key in merged:
            merged[key] = _with_source(_combine(merged[key], model, override=True), "config")
        else:
            merged[key] = _with_source(model, "config")
    ordered = [merged[key] for key in sorted(merged)]
    return ModelCatalog(models=ordered, snapshot=static.snapshot)
