"""Anthropic Messages API: pure translators and the ``AnthropicAdapter``.

Reference: https://docs.claude.com/en/api/messages
"""

from .adapter import ANTHROPIC_CAPABILITIES, DEFAULT_BASE_URL, DEFAULT_VERSION, AnthropicAdapter
from .decode import (
    ERROR_TYPES,
    FINISH_REASONS,
    decode_anthropic_error,
    decode_anthropic_models,
    decode_anthropic_models_page,
    decode_anthropic_response,
    map_finish_reason,
)
from .encode import (
    DEFAULT_MAX_TOKENS,
    EFFORT_BUDGETS,
    JSON_TOOL_NAME,
    encode_anthropic_request,
    uses_json_tool,
)

__all__ = [
    "ANTHROPIC_CAPABILITIES",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_TOKENS",
    "DEFAULT_VERSION",
    "EFFORT_BUDGETS",
    "ERROR_TYPES",
    "FINISH_REASONS",
    "JSON_TOOL_NAME",
    "AnthropicAdapter",
    "decode_anthropic_error",
    "decode_anthropic_models",
    "decode_anthropic_models_page",
    "decode_anthropic_response",
    "encode_anthropic_request",
    "map_finish_reason",
    "uses_json_tool",
]
