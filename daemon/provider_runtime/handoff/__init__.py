"""Handoff: rewrite a conversation from any mix of providers into one the target accepts.

Pure and deterministic (Stage 9); the rules and warning codes are in protocol.md §5 and §9.
"""

from __future__ import annotations

from .model import HANDOFF_WARNING_CODES, HandoffTarget
from .normalize import normalize_handoff_messages

__all__ = ["HANDOFF_WARNING_CODES", "HandoffTarget", "normalize_handoff_messages"]
