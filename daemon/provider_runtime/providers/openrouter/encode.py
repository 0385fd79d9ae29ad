"""Canonical ``ProviderRequest`` -> OpenRouter chat completion body. Pure.

The OpenAI translator does the work (https://openrouter.ai/docs/api-reference/chat-completion);
this module overrides only what differs: the ``reasoning`` object instead of
``reasoning_effort`` (https://openrouter.ai/docs/use-cases/reasoning-tokens), assistant
reasoning replayed as ``reasoning_details``, and ``metadata``, which OpenRouter accepts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec

from ...core.types import ProviderRequest, ProviderRuntimeWarning, ReasoningConfig, ReasoningPart
from ..openai.dialect import OpenAIDialect
from ..openai.encode import encode_openai_request
from ..openai.wire import OpenAIChatRequest
from ..warnings import warning

__all__ = ["encode_openrouter_request", "openrouter_dialect", "reasoning_detail"]

_json = msgspec.json.Encoder(order="deterministic")
_any = msgspec.json.Decoder()


def openrouter_dialect(provider: str = "openrouter") -> OpenAIDialect:
    """OpenRouter normalizes every upstream to Chat Completions: no per-model rules needed."""
    return OpenAIDialect(
        provider=provider,
        official=False,
        metadata="send",
        max_stop_sequences=4,
        cache=(),  # declared by OPENROUTER_CAPABILITIES
        cache_marker="cache_control",
    )


def reasoning_detail(part: ReasoningPart) -> dict[str, Any] | None:
    """The ``reasoning_details`` entry a part was decoded from (None: nothing to replay).

    ``data`` holds the original entry minus what lives in ``text``/``signature`` (see
    ``decode.reasoning_parts``); a part without it is sent as a plain ``reasoning.text``.
    """
    detail: dict[str, Any] | None = None
    if part.data is not None:
        try:
            decoded = _any.decode(part.data)
        except msgspec.DecodeError:
            decoded = None
        if isinstance(decoded, dict) and isinstance(decoded.get("type"), str):
            detail = decoded
    if detail is None:
        if part.redacted or not part.text:
            return None
        detail = {"type": "reasoning.text"}
    kind = detail["type"]
    if kind == "reasoning.text":
        detail["text"] = part.text
        if part.signature is not None:
            detail["signature"] = part.signature
    elif kind == "reasoning.summary":
        detail["summary"] = part.text
    return detail


class _Replay:
    """Replays reasoning produced by this provider and model; anything else is reported."""

    def __init__(self, provider: str, model: str) -> None:
        self.provider = provider
        self.model = model

    def __call__(
        self, parts: Sequence[ReasoningPart], index: int
    ) -> tuple[dict[str, Any], list[ProviderRuntimeWarning]]:
        details: list[dict[str, Any]] = []
        skipped: list[str] = []
        for part in parts:
            detail = None
            if part.provider == self.provider and part.model == self.model:
                detail = reasoning_detail(part)
                reason = "has nothing to replay"
            elif part.provider is None or part.model is None:
                reason = "records no producing provider and model"
            else:
                reason = f"was produced by {part.provider}/{part.model}"
            if detail is None:
                skipped.append(reason)
            else:
                details.append(detail)
        warnings = [
            warning(
                "unsupported.reasoning_history",
                f"a reasoning part {reason}; only {self.provider}/{self.model}'s own reasoning "
                "can be replayed, so it was not sent",
                message_index=index,
            )
            for reason in skipped
        ]
        return ({"reasoning_details": details} if details else {}), warnings


def _reasoning(
    reasoning: ReasoningConfig, warnings: list[ProviderRuntimeWarning]
) -> dict[str, Any] | None:
    if reasoning.effort is not None:
        if reasoning.budget_tokens is not None:
            warnings.append(
                warning(
                    "unsupported.reasoning_budget",
                    "OpenRouter takes a reasoning effort or a token budget, not both; "
                    "the effort was sent",
                    budget_tokens=reasoning.budget_tokens,
                )
            )
        return {"effort": reasoning.effort}
    if reasoning.budget_tokens is not None:
        return {"max_tokens": reasoning.budget_tokens}
    return None


def encode_openrouter_request(
    request: ProviderRequest, model: str, *, provider: str = "openrouter"
) -> tuple[OpenAIChatRequest, list[ProviderRuntimeWarning]]:
    """The native body for ``model`` (an OpenRouter slug such as ``anthropic/claude-sonnet-4``)."""
    body, warnings = encode_openai_request(
        msgspec.structs.replace(request, reasoning=None),
        model,
        dialect=openrouter_dialect(provider),
        replay=_Replay(provider, model),
    )
    if request.reasoning is not None:
        reasoning = _reasoning(request.reasoning, warnings)
        if reasoning is not None:
            body["reasoning"] = reasoning
    return body, warnings
