"""The catalog's reasoning controls derived from LiteLLM's per-model flags (protocol.md §4).

Used by ``generate_catalog.py`` only. Each rule reads one model's extract record (LiteLLM's
fields, as extracted) and yields ``reasoning_efforts``, ``reasoning_modes`` and
``reasoning_off`` where the flags say; a value the flags do not settle is left out (unknown).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

# The ladder below ``none``, weakest first (core.types.REASONING_EFFORTS without ``none``).
LEVELS = ("minimal", "low", "medium", "high", "xhigh", "max")
LADDER = ("none", *LEVELS)

# LiteLLM's reasoning fields the rules read (all booleans but the level list).
REASONING_FLAGS = (
    "supports_none_reasoning_effort",
    "supports_minimal_reasoning_effort",
    "supports_low_reasoning_effort",
    "supports_xhigh_reasoning_effort",
    "supports_max_reasoning_effort",
    "supports_output_config",
    "supports_adaptive_thinking",
    "supports_legacy_thinking",
    "thinking_always_on",
)
LEVEL_LIST = "reasoning_effort_levels"
REASONING_FIELDS = (*REASONING_FLAGS, LEVEL_LIST)

Controls = dict[str, Any]
_NO_REASONING: Controls = {"reasoning_efforts": [], "reasoning_modes": [], "reasoning_off": True}


def check_level_list(key: str, value: Any) -> list[str]:
    """LiteLLM's ``reasoning_effort_levels``: ladder names only, returned in ladder order."""
    if not isinstance(value, list) or not all(v in LADDER for v in value):
        raise SystemExit(f"litellm entry {key!r}: unexpected {LEVEL_LIST} {value!r}")
    return [level for level in LADDER if level in value]


def _openai(record: Mapping[str, Any]) -> Controls:
    """OpenAI Chat Completions takes reasoning only as ``reasoning_effort``."""
    declared = record.get(LEVEL_LIST)
    if declared is not None:  # the model's levels, stated outright
        return {
            "reasoning_efforts": [level for level in declared if level != "none"],
            "reasoning_modes": ["effort"],
            "reasoning_off": "none" in declared,
        }
    flags = {level: record.get(f"supports_{level}_reasoning_effort") for level in LADDER}
    if all(flags[level] is None for level in ("none", "minimal", "low", "xhigh", "max")):
        return {"reasoning_modes": ["effort"]}  # a reasoning model, levels unknown
    levels = [
        level
        for level in LEVELS
        if level in ("medium", "high")  # every OpenAI reasoning model takes these
        or (level == "low" and flags["low"] is not False)  # stated only when refused
        or flags[level] is True  # minimal, xhigh, max: stated when taken
    ]
    return {
        "reasoning_efforts": levels,
        "reasoning_modes": ["effort"],
        "reasoning_off": flags["none"] is True,
    }


def _anthropic(record: Mapping[str, Any]) -> Controls:
    """Anthropic: ``output_config.effort`` (low..max), budgets, adaptive thinking, disabling."""
    effort = record.get("supports_output_config") is True
    adaptive = record.get("supports_adaptive_thinking") is True
    levels = ["low", "medium", "high"] if effort else []
    levels += [lvl for lvl in ("xhigh", "max") if record.get(f"supports_{lvl}_reasoning_effort")]
    modes = []
    if not adaptive or record.get("supports_legacy_thinking") is True:
        modes.append("budget")  # manual thinking with budget_tokens
    if effort:
        modes.append("effort")
    if adaptive:
        modes.append("adaptive")
    return {
        "reasoning_efforts": levels,
        "reasoning_modes": modes,
        "reasoning_off": record.get("thinking_always_on") is not True,
    }


def _unknown(record: Mapping[str, Any]) -> Controls:
    return {}


def _declared(record: Mapping[str, Any]) -> Controls:
    """OpenAI-compatible presets: ``reasoning_effort`` levels only where LiteLLM lists them.

    The flags do not say whether a preset model takes ``reasoning_effort`` at all (xAI's
    grok-4.20 refuses it, DeepSeek's reasoner ignores it), so without a list nothing is settled.
    """
    declared = record.get(LEVEL_LIST)
    if declared is None:
        return {}
    return _openai(record)


# Gemini (https://ai.google.dev/gemini-api/docs/thinking): 2.5 models take `thinkingBudget`
# (2.5 Pro cannot turn thinking off: budget 128..32768; Flash and Flash-Lite turn it off with
# budget 0); Gemini 3 and later take `thinkingLevel` (none turns thinking off; the encoder
# sends the weakest level for `none`, so `reasoning_off` stays unknown there).
_GEMINI_BUDGET = re.compile(r"^gemini-2\.5-")
_GEMINI_ALWAYS_THINKS = re.compile(r"^gemini-2\.5-pro(?:-|$)")
_GEMINI_LEVELS = re.compile(r"^gemini-(?:[3-9]|[1-9][0-9])(?:\.[0-9]+)?-")


def gemini_controls(model_id: str, record: Mapping[str, Any]) -> Controls:
    """Budget (2.5) or level (3 and later) by model family; levels only where listed."""
    if _GEMINI_BUDGET.match(model_id):
        off = _GEMINI_ALWAYS_THINKS.match(model_id) is None
        return {"reasoning_efforts": [], "reasoning_modes": ["budget"], "reasoning_off": off}
    if _GEMINI_LEVELS.match(model_id):
        # which levels each model takes (3 Pro: low, high; 3 Flash: minimal..high) is not in
        # the flags; a listed set is taken as stated
        declared = record.get(LEVEL_LIST)
        controls: Controls = {"reasoning_modes": ["effort"]}
        if declared is not None:
            controls["reasoning_efforts"] = [level for level in declared if level != "none"]
        return controls
    return {}


def _bedrock(model_id: str, record: Mapping[str, Any]) -> Controls:
    """Claude on Bedrock takes Anthropic's thinking (the encoder maps the ladder to it)."""
    return _anthropic(record) if ".anthropic.claude" in f".{model_id}" else {}


_RULES: dict[str, Callable[[Mapping[str, Any]], Controls]] = {
    "openai": _openai,
    "anthropic": _anthropic,
    "openrouter": _unknown,  # LiteLLM has no reasoning flags for OpenRouter's ids
    **dict.fromkeys(
        ("cerebras", "deepseek", "fireworks", "groq", "mistral", "together", "xai"), _declared
    ),
}
# Rules that read the model id too (the model family decides the form).
_ID_RULES: dict[str, Callable[[str, Mapping[str, Any]], Controls]] = {
    "google": gemini_controls,
    "bedrock": _bedrock,
}


def reasoning_controls(provider: str, record: Mapping[str, Any], model_id: str = "") -> Controls:
    """The reasoning controls one extract record settles for a model of ``provider``."""
    reasoning = record.get("supports_reasoning")
    if reasoning is False:
        return dict(_NO_REASONING)
    flagged = any(record.get(field) is not None for field in REASONING_FIELDS)
    if reasoning is not True and not flagged:
        return {}
    if provider in _ID_RULES:
        return _ID_RULES[provider](model_id or str(record.get("id", "")), record)
    return _RULES.get(provider, _unknown)(record)
