"""AWS Bedrock Runtime, Converse API: pure translators and the ``BedrockAdapter``.

Reference: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
"""

from .adapter import (
    BEDROCK_CAPABILITIES,
    BedrockAdapter,
    bedrock_declaration,
    default_base_url,
    model_path,
)
from .decode import (
    ERROR_TYPES,
    FINISH_REASONS,
    decode_bedrock_count,
    decode_bedrock_error,
    decode_bedrock_response,
    map_finish_reason,
)
from .encode import encode_bedrock_request, is_anthropic_model

__all__ = [
    "BEDROCK_CAPABILITIES",
    "ERROR_TYPES",
    "FINISH_REASONS",
    "BedrockAdapter",
    "bedrock_declaration",
    "decode_bedrock_count",
    "decode_bedrock_error",
    "decode_bedrock_response",
    "default_base_url",
    "encode_bedrock_request",
    "is_anthropic_model",
    "map_finish_reason",
    "model_path",
]
