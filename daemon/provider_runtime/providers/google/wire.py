"""The Gemini API JSON: tolerant msgspec Structs for what the decoders read, TypedDicts for the
request body the encoder sends.

Follows https://ai.google.dev/api/generate-content, /api/models and the Discovery-generated
OpenAPI copy in tests/specs/gemini.json. Every field read has a default and unknown fields are
ignored: Google adds part kinds, finish reasons and usage counts often.
"""

from __future__ import annotations

from typing import Any, Required, TypedDict

import msgspec

__all__ = [
    "GeminiCandidate",
    "GeminiContent",
    "GeminiErrorBody",
    "GeminiFunctionCall",
    "GeminiModel",
    "GeminiModelList",
    "GeminiPart",
    "GeminiPromptFeedback",
    "GeminiRequest",
    "GeminiResponse",
    "GeminiStatus",
    "GeminiUsage",
]


class GeminiFunctionCall(msgspec.Struct, kw_only=True):
    id: str | None = None
    name: str | None = None
    args: Any = None


class GeminiPart(msgspec.Struct, kw_only=True):
    """Any part; which data field is set says what it is (one flat struct, so a part kind added
    later decodes instead of failing the whole response)."""

    text: str | None = None
    thought: bool | None = None
    thoughtSignature: str | None = None
    functionCall: GeminiFunctionCall | None = None
    inlineData: dict[str, Any] | None = None
    fileData: dict[str, Any] | None = None
    executableCode: dict[str, Any] | None = None
    codeExecutionResult: dict[str, Any] | None = None


class GeminiContent(msgspec.Struct, kw_only=True):
    role: str | None = None
    parts: list[GeminiPart] | None = None


class GeminiCandidate(msgspec.Struct, kw_only=True):
    content: GeminiContent | None = None
    finishReason: str | None = None
    finishMessage: str | None = None
    index: int | None = None


class GeminiPromptFeedback(msgspec.Struct, kw_only=True):
    blockReason: str | None = None


class GeminiUsage(msgspec.Struct, kw_only=True):
    """``promptTokenCount`` includes ``cachedContentTokenCount``; thoughts are counted apart from
    ``candidatesTokenCount``; ``toolUsePromptTokenCount`` apart from ``promptTokenCount``."""

    promptTokenCount: int | None = None
    cachedContentTokenCount: int | None = None
    candidatesTokenCount: int | None = None
    thoughtsTokenCount: int | None = None
    toolUsePromptTokenCount: int | None = None
    totalTokenCount: int | None = None


class GeminiResponse(msgspec.Struct, kw_only=True):
    candidates: list[GeminiCandidate] | None = None
    promptFeedback: GeminiPromptFeedback | None = None
    usageMetadata: GeminiUsage | None = None
    modelVersion: str | None = None
    responseId: str | None = None


class GeminiStatus(msgspec.Struct, kw_only=True):
    """``google.rpc.Status``: ``details`` holds typed messages (``ErrorInfo``, ``RetryInfo``)."""

    code: int | None = None
    message: str | None = None
    status: str | None = None
    details: list[dict[str, Any]] | None = None


class GeminiErrorBody(msgspec.Struct, kw_only=True):
    error: GeminiStatus | None = None


class GeminiModel(msgspec.Struct, kw_only=True):
    name: str | None = None
    baseModelId: str | None = None
    displayName: str | None = None
    inputTokenLimit: int | None = None
    outputTokenLimit: int | None = None
    supportedGenerationMethods: list[str] | None = None
    thinking: bool | None = None


class GeminiModelList(msgspec.Struct, kw_only=True):
    """One page of ``GET /models``; ``nextPageToken`` absent on the last page."""

    models: list[GeminiModel] | None = None
    nextPageToken: str | None = None


# --------------------------------------------------------------------------- what we send
# https://ai.google.dev/api/generate-content#request-body


class GeminiRequest(TypedDict, total=False):
    """The ``POST /models/{model}:generateContent`` body (parts in the API's JSON shapes)."""

    contents: Required[list[dict[str, Any]]]
    systemInstruction: dict[str, Any]
    tools: list[dict[str, Any]]
    toolConfig: dict[str, Any]
    generationConfig: dict[str, Any]
