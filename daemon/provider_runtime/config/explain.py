"""Config validation errors that name the fix: msgspec's ``$.a.b`` paths become dotted keys,
unknown keys list the valid ones (closest first), bad enum values list the valid values."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any, TypeVar

import msgspec

from ..core.errors import ConfigError
from ..core.types import ModelPricing
from .hints import fields_at, literal_values_at, suggest

__all__ = ["check_prices", "convert", "expect", "unknown_key"]

_T = TypeVar("_T")
_AT = re.compile(r"^(?P<problem>.*?)(?: - at `\$(?P<where>[^`]*)`)?$", re.DOTALL)
_FIELD = re.compile(r"Object (?:contains unknown|missing required) field `(?P<field>[^`]*)`")
_ENUM = re.compile(r"Invalid enum value '(?P<value>[^']*)'")
_PRICES = ("input", "output", "cache_read", "cache_write", "cache_write_1h")


def expect(value: Any, kind: type[_T], what: str, file: str | None, key: str) -> _T:
    if not isinstance(value, kind):
        raise ConfigError(f"expected {what}, got {_toml_type(value)}", path=file, key=key)
    return value


def _toml_type(value: Any) -> str:
    names = {dict: "a table", list: "an array", str: "a string", bool: "a boolean"}
    return names.get(type(value), f"a {type(value).__name__}")


def unknown_key(name: str, valid: list[str], file: str | None, key: str) -> ConfigError:
    return ConfigError("unknown key" + suggest(name, valid, "keys"), path=file, key=key)


def convert(raw: Any, kind: type[_T], file: str | None, prefix: str) -> _T:
    """``msgspec.convert`` with its errors turned into dotted config keys and fixes."""
    try:
        return msgspec.convert(raw, kind)
    except msgspec.ValidationError as exc:
        problem, key = _explain(str(exc), kind, prefix)
        raise ConfigError(problem, path=file, key=key) from None


def _explain(message: str, kind: Any, prefix: str) -> tuple[str, str]:
    match = _AT.match(message)
    problem = match["problem"] if match else message
    where = (match["where"] or "") if match else ""
    field = _FIELD.match(problem)
    if field:
        name = field["field"]
        if "unknown" in problem:
            valid = fields_at(kind, where) or []
            problem = "unknown key" + (suggest(name, valid, "keys") if valid else "")
        else:
            problem = "missing required key"
        where = f"{where}.{name}"
    enum = _ENUM.match(problem)
    if enum:
        values = literal_values_at(kind, where)
        if values:
            problem += suggest(enum["value"], values, "values")
    return problem.replace("`object`", "`table`"), prefix + where


def check_prices(pricing: ModelPricing, file: str | None, key: str) -> None:
    """Prices are never negative: a negative price would give a negative cost."""
    tables: list[tuple[str, Any]] = [(key, pricing)]
    tables += [(f"{key}.tiers[{i}]", tier) for i, tier in enumerate(pricing.tiers)]
    for where, table in tables:
        for name in _PRICES:
            value: Decimal | None = getattr(table, name)
            if value is not None and (not value.is_finite() or value < 0):
                raise ConfigError(
                    f"a price must be a finite number >= 0 (USD per million tokens), got {value}",
                    path=file,
                    key=f"{where}.{name}",
                )
