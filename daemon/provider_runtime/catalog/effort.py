"""The effort a model gets when the asked one is not among those it accepts (protocol.md §4).

Pure and total over the catalog data (``ModelCapabilities.reasoning_efforts`` and
``reasoning_off``): no provider names, no I/O. The runtime's capability pass
(``runtime/capabilities.py``) calls it and warns when the answer differs from the asked effort.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..core.types import REASONING_EFFORTS, ModelCapabilities, ReasoningEffort

__all__ = ["effort_for_model", "nearest_effort"]


def _position(effort: ReasoningEffort) -> int:
    return REASONING_EFFORTS.index(effort)


def nearest_effort(
    asked: ReasoningEffort,
    accepted: Sequence[ReasoningEffort] | None,
    *,
    off: bool | None,
) -> ReasoningEffort | None:
    """The effort to apply for ``asked``, or None when no effort level can be sent.

    ``accepted`` lists the model's levels (``none`` excluded; None: unknown), ``off`` whether it
    can answer without reasoning (None: unknown). Unknown data never changes the request:
    the asked effort passes through for the provider to judge.

    - ``none``: ``none`` where reasoning can be turned off (or it is unknown whether it can);
      otherwise the weakest accepted level, or None (leave the model's default) when the levels
      are unknown or empty.
    - any other level: itself when accepted (or the levels are unknown); None when the model
      takes no level (``[]``); else the accepted level nearest on the ladder, a tie going to the
      **stronger** level (the caller asked for at least that much thought; the applied level is
      reported, so a dearer answer is never silent). A level is never turned into ``none``.
    """
    if asked == "none":
        if off is not False:
            return "none"
        weakest = [e for e in accepted or () if e != "none"]
        if not weakest:
            return None
        return min(weakest, key=_position)
    if accepted is None or asked in accepted:
        return asked
    levels = [e for e in accepted if e != "none"]
    if not levels:
        return None
    goal = _position(asked)
    # Sort key: distance first, then the stronger of two equally near levels.
    return min(levels, key=lambda e: (abs(_position(e) - goal), -_position(e)))


def effort_for_model(
    asked: ReasoningEffort, capabilities: ModelCapabilities
) -> ReasoningEffort | None:
    """``nearest_effort`` over a catalog entry's capabilities."""
    return nearest_effort(asked, capabilities.reasoning_efforts, off=capabilities.reasoning_off)
