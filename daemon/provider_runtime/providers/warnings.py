"""Warnings every provider's translators emit: one constructor, one way to merge them."""

from __future__ import annotations

from typing import Any

import msgspec

from ..core.types import ProviderResponse, ProviderRuntimeWarning

__all__ = ["warn", "warning", "with_warnings"]


def warning(code: str, message: str, **details: Any) -> ProviderRuntimeWarning:
    return ProviderRuntimeWarning(code=code, message=message, details=details)


def warn(warnings: list[ProviderRuntimeWarning], code: str, message: str, **details: Any) -> None:
    warnings.append(warning(code, message, **details))


def with_warnings(
    response: ProviderResponse, warnings: list[ProviderRuntimeWarning]
) -> ProviderResponse:
    """The response with the encoder's warnings in front of the decoder's."""
    if not warnings:
        return response
    return msgspec.structs.replace(response, warnings=[*warnings, *response.warnings])
