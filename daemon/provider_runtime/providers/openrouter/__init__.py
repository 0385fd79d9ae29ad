"""OpenRouter: the OpenAI translator plus OpenRouter's reasoning, cost, errors and model list.

Reference: https://openrouter.ai/docs/api-reference/overview
"""

from .adapter import DEFAULT_BASE_URL, OPENROUTER_CAPABILITIES, OpenRouterAdapter
from .decode import (
    FINISH_REASONS,
    decode_openrouter_error,
    decode_openrouter_models,
    decode_openrouter_models_page,
    decode_openrouter_response,
    per_million,
    reasoning_parts,
)
from .encode import encode_openrouter_request, openrouter_dialect, reasoning_detail

__all__ = [
    "DEFAULT_BASE_URL",
    "FINISH_REASONS",
    "OPENROUTER_CAPABILITIES",
    "OpenRouterAdapter",
    "decode_openrouter_error",
    "decode_openrouter_models",
    "decode_openrouter_models_page",
    "decode_openrouter_response",
    "encode_openrouter_request",
    "openrouter_dialect",
    "per_million",
    "reasoning_detail",
    "reasoning_parts",
]
