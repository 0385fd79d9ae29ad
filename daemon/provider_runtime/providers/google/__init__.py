"""Google Gemini API (``generateContent``): pure translators and the ``GoogleAdapter``.

Reference: https://ai.google.dev/api/generate-content
"""

from .adapter import DEFAULT_BASE_URL, GOOGLE_CAPABILITIES, GoogleAdapter, google_declaration
from .contents import PLACEHOLDER_SIGNATURE, takes_function_response_media, validates_signatures
from .decode import FINISH_REASONS, decode_gemini_response, map_finish_reason
from .encode import EFFORT_BUDGETS, encode_gemini_request, uses_thinking_level
from .errors import decode_gemini_error, decode_gemini_models_page
from .schema import SUPPORTED_KEYWORDS, convert_schema

__all__ = [
    "DEFAULT_BASE_URL",
    "EFFORT_BUDGETS",
    "FINISH_REASONS",
    "GOOGLE_CAPABILITIES",
    "PLACEHOLDER_SIGNATURE",
    "SUPPORTED_KEYWORDS",
    "GoogleAdapter",
    "convert_schema",
    "decode_gemini_error",
    "decode_gemini_models_page",
    "decode_gemini_response",
    "encode_gemini_request",
    "google_declaration",
    "map_finish_reason",
    "takes_function_response_media",
    "uses_thinking_level",
    "validates_signatures",
]
