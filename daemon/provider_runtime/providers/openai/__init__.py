"""OpenAI Chat Completions (and any OpenAI-compatible server): translators and ``OpenAIAdapter``.

Reference: https://platform.openai.com/docs/api-reference/chat

The names below load on first use: the config imports ``quirks`` at start-up, which must not
load the translator (the daemon answers ``initialize`` before any provider module is imported).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .adapter import DEFAULT_BASE_URL, OPENAI_CAPABILITIES, OpenAIAdapter, capabilities_for
    from .decode import (
        FINISH_REASONS,
        decode_openai_error,
        decode_openai_models,
        decode_openai_response,
        map_finish_reason,
    )
    from .dialect import OPENAI_DIALECT, OpenAIDialect, is_reasoning_family
    from .encode import encode_openai_request
    from .quirks import OpenAICompatQuirks

_HOMES = {
    "DEFAULT_BASE_URL": "adapter",
    "OPENAI_CAPABILITIES": "adapter",
    "OpenAIAdapter": "adapter",
    "capabilities_for": "adapter",
    "FINISH_REASONS": "decode",
    "decode_openai_error": "decode",
    "decode_openai_models": "decode",
    "decode_openai_response": "decode",
    "map_finish_reason": "decode",
    "OPENAI_DIALECT": "dialect",
    "OpenAIDialect": "dialect",
    "is_reasoning_family": "dialect",
    "encode_openai_request": "encode",
    "OpenAICompatQuirks": "quirks",
}

__all__ = [
    "DEFAULT_BASE_URL",
    "FINISH_REASONS",
    "OPENAI_CAPABILITIES",
    "OPENAI_DIALECT",
    "OpenAIAdapter",
    "OpenAICompatQuirks",
    "OpenAIDialect",
    "capabilities_for",
    "decode_openai_error",
    "decode_openai_models",
    "decode_openai_response",
    "encode_openai_request",
    "is_reasoning_family",
    "map_finish_reason",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{home}", __name__), name)
