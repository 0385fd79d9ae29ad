"""A provider's stop reason -> the canonical finish reason and the warning it calls for (pure).

Each decoder keeps its own table (``FINISH_REASONS``, raw value -> canonical) and the notices
its API's reasons deserve; the rule is shared: a missing or unknown reason is ``other`` (the
raw value travels in ``finish_reason_raw``), an unknown one is reported, a noted one warns.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..core.types import FinishReason, ProviderRuntimeWarning
from .warnings import warn

__all__ = ["map_stop_reason", "stop_reason_warnings"]

# raw reason -> (warning code, message)
Notices = Mapping[str, tuple[str, str]]


def map_stop_reason(raw: str | None, table: Mapping[str, FinishReason]) -> FinishReason:
    """Unknown or missing stop reasons map to OTHER (the raw value travels separately)."""
    return table.get(raw, FinishReason.OTHER) if raw else FinishReason.OTHER


def stop_reason_warnings(
    raw: str | None,
    table: Mapping[str, FinishReason],
    notices: Notices,
    *,
    field: str,
    warnings: list[ProviderRuntimeWarning],
) -> None:
    """The notice for ``raw``, or ``response.unknown_finish_reason`` when the table lacks it
    (``field`` names the API's own field in the message)."""
    if raw is None:
        return
    if raw in notices:
        code, message = notices[raw]
        warn(warnings, code, message)
    elif raw not in table:
        warn(
            warnings,
            "response.unknown_finish_reason",
            f"unknown {field} {raw!r}; reported as `other`",
            raw=raw,
        )
