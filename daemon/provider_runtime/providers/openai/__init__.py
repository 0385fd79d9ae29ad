"""OpenAI Chat Completions (and any OpenAI-compatible server): translators and ``OpenAIAdapter``.

Reference: https://platform.openai.com/docs/api-reference/chat
"""

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

__all__ = [
    "DEFAULT_BASE_URL",
    "FINISH_REASONS",
    "OPENAI_CAPABILITIES",
    "OPENAI_DIALECT",
    "OpenAIAdapter",
    "OpenAIDialect",
    "capabilities_for",
    "decode_openai_error",
    "decode_openai_models",
    "decode_openai_response",
    "encode_openai_request",
    "is_reasoning_family",
    "map_finish_reason",
]
