"""Canonical ``reasoning`` -> Anthropic ``max_tokens``, ``thinking`` and ``output_config.effort``.

Pure. The runtime's capability pass has already applied the effort the model accepts and
removed a budget it does not take (``runtime/capabilities.py``); this module only expresses
the result, by the model's reasoning modes (catalog ``reasoning_modes``, protocol.md §4, §6):

- ``effort``/``adaptive`` models (Opus 4.5 and later): the level goes to
  ``output_config.effort`` (https://platform.claude.com/docs/en/build-with-claude/effort);
  a model with adaptive thinking gets ``thinking: {"type": "adaptive"}``
  (https://platform.claude.com/docs/en/build-with-claude/adaptive-thinking); one without
  (Opus 4.5) thinks with a budget
  (https://platform.claude.com/docs/en/build-with-claude/extended-thinking).
- ``budget`` models and models the catalog does not describe: a thinking budget, from
  ``budget_tokens`` or from the effort (``EFFORT_BUDGETS``).
- ``none`` (or a zero budget): ``thinking: {"type": "disabled"}``.

Claude on Bedrock takes the same objects in ``additionalModelRequestFields``, so its encoder
asks this one decision too; each wire describes its turns as ``Turn``s for the rules that
depend on the history (``anthropic_turns`` here, ``converse_turns`` in ``providers/bedrock``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from ...core.types import ModelInfo, ProviderRequest, ProviderRuntimeWarning, ReasoningConfig
from ..warnings import warn

__all__ = [
    "EFFORT_BUDGETS",
    "MIN_THINKING_BUDGET",
    "Thinking",
    "Turn",
    "anthropic_turns",
    "encode_thinking",
]

MIN_THINKING_BUDGET = 1024
# Reasoning effort -> thinking budget_tokens, for models that take a budget, not a level.
EFFORT_BUDGETS: dict[str, int] = {
    "minimal": 1024,
    "low": 2048,
    "medium": 4096,
    "high": 16384,
    "xhigh": 32000,
    "max": 48000,
}
# Adaptive thinking with no effort asked thinks as at Anthropic's default level.
_DEFAULT_EFFORT = "high"

Warnings = list[ProviderRuntimeWarning]


class Thinking(NamedTuple):
    """What the request body carries: ``max_tokens``, ``thinking`` and the effort level."""

    max_tokens: int
    thinking: dict[str, Any] | None = None
    effort: str | None = None

    @property
    def on(self) -> bool:
        """Whether the model is asked to think (adaptive or with a budget)."""
        return self.thinking is not None and self.thinking["type"] != "disabled"


class Turn(NamedTuple):
    """One turn as Claude's thinking rules see it: its role (``user``/``assistant``) and the
    kinds of blocks it holds (``tool_use``, ``tool_result``, ``thinking``), whatever the wire."""

    role: str
    kinds: frozenset[str]


_ANTHROPIC_KINDS = {"redacted_thinking": "thinking"}


def anthropic_turns(messages: Sequence[dict[str, Any]]) -> list[Turn]:
    """The ``Turn``s of Anthropic Messages turns (content as a list of typed blocks)."""
    return [
        Turn(m["role"], frozenset(_ANTHROPIC_KINDS.get(b["type"], b["type"]) for b in m["content"]))
        for m in messages
    ]


def encode_thinking(
    request: ProviderRequest,
    messages: Sequence[Turn],
    model_info: ModelInfo | None,
    default_max_tokens: int,
    *,
    forced: bool,
    warnings: Warnings,
) -> Thinking:
    """``max_tokens``, the ``thinking`` object and ``output_config.effort`` (None: omitted)."""
    max_tokens, explicit = _base_max_tokens(request, model_info, default_max_tokens)
    reasoning = request.reasoning
    if reasoning is None:
        return Thinking(max_tokens)
    if reasoning.effort == "none" or (reasoning.effort is None and reasoning.budget_tokens == 0):
        if reasoning.budget_tokens:
            warn(
                warnings,
                "unsupported.reasoning_budget",
                "`effort: none` turns thinking off; `budget_tokens` not sent",
                budget_tokens=reasoning.budget_tokens,
            )
        return Thinking(max_tokens, {"type": "disabled"})
    caps = model_info.capabilities if model_info is not None else None
    modes = (caps.reasoning_modes if caps is not None else None) or []
    leveled = "effort" in modes or "adaptive" in modes
    effort = reasoning.effort if leveled else None
    if "adaptive" in modes and (effort is not None or reasoning.budget_tokens is None):
        return _adaptive(reasoning, messages, model_info, max_tokens, explicit, forced, warnings)
    budget = _requested_budget(reasoning, warnings, effort_sent=effort is not None)
    if budget == 0:
        return Thinking(max_tokens, {"type": "disabled"}, effort)
    max_tokens, thinking = _budget_thinking(
        budget, messages, model_info, default_max_tokens, (max_tokens, explicit), forced, warnings
    )
    return Thinking(max_tokens, thinking, effort)


def _adaptive(
    reasoning: ReasoningConfig,
    messages: Sequence[Turn],
    model_info: ModelInfo | None,
    max_tokens: int,
    explicit: bool,
    forced: bool,
    warnings: Warnings,
) -> Thinking:
    """Adaptive thinking guided by the effort; room for it under ``max_tokens`` when unset."""
    if reasoning.budget_tokens is not None:
        warn(
            warnings,
            "unsupported.reasoning_budget",
            "adaptive thinking is guided by the effort level; `budget_tokens` not sent",
            budget_tokens=reasoning.budget_tokens,
        )
    if not explicit:
        room = EFFORT_BUDGETS[reasoning.effort or _DEFAULT_EFFORT] + max_tokens
        cap = model_info.max_output_tokens if model_info is not None else None
        max_tokens = room if cap is None else min(cap, room)
    blocker = _thinking_blocker(messages, forced=forced)
    if blocker is not None:
        warn(warnings, "unsupported.reasoning", f"thinking not enabled: {blocker}")
        return Thinking(max_tokens, None, reasoning.effort)
    return Thinking(max_tokens, {"type": "adaptive"}, reasoning.effort)


def _base_max_tokens(
    request: ProviderRequest, model_info: ModelInfo | None, default: int
) -> tuple[int, bool]:
    """``max_tokens`` and whether the caller set it explicitly.

    Unset, it is ``default`` capped by the model's own limit, never the model's full limit:
    Anthropic reserves rate-limit quota for ``max_tokens`` up front, and a non-streaming call
    allowed to run for tens of thousands of tokens can outlast an HTTP timeout.
    """
    if request.max_output_tokens is not None:
        return request.max_output_tokens, True
    if model_info is not None and model_info.max_output_tokens:
        return min(default, model_info.max_output_tokens), False
    return default, False


def _requested_budget(reasoning: ReasoningConfig, warnings: Warnings, *, effort_sent: bool) -> int:
    """The thinking budget asked for (``effort_sent``: the effort also goes out as a level)."""
    if reasoning.budget_tokens is not None:
        if reasoning.effort is not None and not effort_sent:
            warn(
                warnings,
                "unsupported.reasoning_effort",
                "Anthropic takes a thinking budget; `budget_tokens` was used and `effort` ignored",
                effort=reasoning.effort,
            )
        budget = reasoning.budget_tokens
    else:
        budget = EFFORT_BUDGETS[reasoning.effort or "medium"]
    if 0 < budget < MIN_THINKING_BUDGET:
        warn(
            warnings,
            "unsupported.reasoning_budget",
            f"Anthropic's smallest thinking budget is {MIN_THINKING_BUDGET} tokens; raised to it",
            requested=budget,
            sent=MIN_THINKING_BUDGET,
        )
        budget = MIN_THINKING_BUDGET
    return budget


def _budget_thinking(
    budget: int,
    messages: Sequence[Turn],
    model_info: ModelInfo | None,
    default_max_tokens: int,
    base: tuple[int, bool],
    forced: bool,
    warnings: Warnings,
) -> tuple[int, dict[str, Any] | None]:
    """``max_tokens`` and ``thinking: {"type": "enabled", "budget_tokens": N}`` (or None)."""
    max_tokens, explicit = base
    blocker = _thinking_blocker(messages, forced=forced)
    if blocker is not None:
        warn(warnings, "unsupported.reasoning", f"thinking not enabled: {blocker}")
        return max_tokens, None
    if budget >= max_tokens and not explicit:
        # The default leaves room for the answer after the thinking, within the model's limit.
        cap = model_info.max_output_tokens if model_info is not None else None
        max_tokens = (
            budget + default_max_tokens if cap is None else min(cap, budget + default_max_tokens)
        )
    if budget >= max_tokens:
        if max_tokens <= MIN_THINKING_BUDGET:
            warn(
                warnings,
                "unsupported.reasoning",
                f"thinking not enabled: max_tokens {max_tokens} leaves no room for the minimum "
                f"budget of {MIN_THINKING_BUDGET} tokens",
            )
            return max_tokens, None
        sent = max(MIN_THINKING_BUDGET, max_tokens // 2)
        warn(
            warnings,
            "unsupported.reasoning_budget",
            f"the thinking budget must be below max_tokens ({max_tokens}); lowered",
            requested=budget,
            sent=sent,
        )
        budget = sent
    return max_tokens, {"type": "enabled", "budget_tokens": budget}


def _thinking_blocker(messages: Sequence[Turn], *, forced: bool) -> str | None:
    """Why Anthropic's models would reject thinking for these turns (on any platform), or None
    when it may be enabled."""
    if forced:
        return "Anthropic does not allow thinking while a tool call is forced"
    if messages and messages[-1].role == "assistant":
        return "the last message is an assistant prefill, which Anthropic does not accept with it"
    last_assistant = max(
        (i for i, turn in enumerate(messages) if turn.role == "assistant"), default=None
    )
    if last_assistant is None or last_assistant + 1 >= len(messages):
        return None
    turn = messages[last_assistant].kinds
    calls = "tool_use" in turn
    thought = "thinking" in turn
    continued = "tool_result" in messages[last_assistant + 1].kinds
    if calls and continued and not thought:
        return "the tool calls being answered were made without a replayable thinking block"
    return None
