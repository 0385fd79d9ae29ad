"""The Bedrock Converse JSON: tolerant msgspec Structs for what the decoders read, TypedDicts for
the request body the encoder sends.

Follows the service model (botocore ``bedrock-runtime`` 2023-09-30, operations ``Converse`` and
``CountTokens``) and https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html.
Content blocks are unions: exactly one member is set. Every field read has a default and unknown
members are ignored, because AWS adds block types (citations, search results) often.
"""

from __future__ import annotations

from typing import Any, Required, TypedDict

import msgspec

__all__ = [
    "BedrockContentBlock",
    "BedrockConverseRequest",
    "BedrockConverseResponse",
    "BedrockCountTokensResponse",
    "BedrockErrorBody",
    "BedrockReasoning",
    "BedrockToolUse",
    "BedrockUsage",
]


class BedrockReasoningText(msgspec.Struct, kw_only=True, rename="camel"):
    text: str = ""
    signature: str | None = None


class BedrockReasoning(msgspec.Struct, kw_only=True, rename="camel"):
    """``reasoningContent``: signed (or unsigned) text, or provider-encrypted bytes (base64)."""

    reasoning_text: BedrockReasoningText | None = None
    redacted_content: str | None = None


class BedrockToolUse(msgspec.Struct, kw_only=True, rename="camel"):
    tool_use_id: str = ""
    name: str = ""
    input: Any = None


class BedrockContentBlock(msgspec.Struct, kw_only=True, rename="camel"):
    """One ``ContentBlock`` union; the member that is set says what it is."""

    text: str | None = None
    tool_use: BedrockToolUse | None = None
    reasoning_content: BedrockReasoning | None = None
    citations_content: Any = None

    def kind(self) -> str:
        """The member's name, or the first unknown-to-us one ('' for an empty block)."""
        for name, attr in _MEMBERS:
            if getattr(self, attr) is not None:
                return name
        return ""


_MEMBERS = (
    ("text", "text"),
    ("toolUse", "tool_use"),
    ("reasoningContent", "reasoning_content"),
    ("citationsContent", "citations_content"),
)


class BedrockMessage(msgspec.Struct, kw_only=True, rename="camel"):
    role: str | None = None
    content: list[BedrockContentBlock] | None = None


class BedrockOutput(msgspec.Struct, kw_only=True, rename="camel"):
    message: BedrockMessage | None = None


class BedrockUsage(msgspec.Struct, kw_only=True, rename="camel"):
    """``inputTokens`` excludes the cache reads and writes, which are counted apart."""

    input_tokens: int | None = None
    output_tokens: int | None = None
    total_tokens: int | None = None
    cache_read_input_tokens: int | None = None
    cache_write_input_tokens: int | None = None


class BedrockConverseResponse(msgspec.Struct, kw_only=True, rename="camel"):
    output: BedrockOutput | None = None
    stop_reason: str | None = None
    usage: BedrockUsage | None = None


class BedrockCountTokensResponse(msgspec.Struct, kw_only=True, rename="camel"):
    input_tokens: int | None = None


class BedrockErrorBody(msgspec.Struct, kw_only=True):
    """An error answer: ``{"message": ...}``, sometimes with ``__type`` (``Message`` in some)."""

    message: str | None = None
    message_upper: str | None = msgspec.field(default=None, name="Message")
    type: str | None = msgspec.field(default=None, name="__type")


# --------------------------------------------------------------------------- what we send


class BedrockConverseOptions(TypedDict, total=False):
    """Every optional member of the ``Converse`` body."""

    system: list[dict[str, Any]]
    inferenceConfig: dict[str, Any]
    toolConfig: dict[str, Any]
    outputConfig: dict[str, Any]
    additionalModelRequestFields: dict[str, Any]
    requestMetadata: dict[str, str]


class BedrockConverseRequest(BedrockConverseOptions, total=False):
    """The ``POST /model/{modelId}/converse`` body (the model id travels in the path)."""

    messages: Required[list[dict[str, Any]]]
