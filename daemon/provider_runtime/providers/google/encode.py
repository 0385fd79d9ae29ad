"""Canonical ``ProviderRequest`` -> Gemini ``generateContent`` body (pure).

Follows https://ai.google.dev/api/generate-content (``GenerateContentRequest``,
``GenerationConfig``, ``ToolConfig``) and https://ai.google.dev/gemini-api/docs/thinking
(``thinkingConfig``). What the target accepts was decided by the runtime's capability pass;
this module only translates, reporting what Gemini cannot express.
"""

from __future__ import annotations

from typing import Any

from ...core.types import (
    JsonFormat,
    JsonSchemaFormat,
    ModelInfo,
    NamedToolChoice,
    ProviderRequest,
    ProviderRuntimeWarning,
    ReasoningConfig,
    ToolChoiceMode,
)
from ..warnings import warn
from .contents import encode_contents
from .schema import convert_schema
from .wire import GeminiRequest

__all__ = [
    "EFFORT_BUDGETS",
    "MAX_STOP_SEQUENCES",
    "MAX_TEMPERATURE",
    "encode_gemini_request",
    "uses_thinking_level",
]

MAX_STOP_SEQUENCES = 5  # GenerationConfig.stopSequences: "up to 5"
MAX_TEMPERATURE = 2.0
# thinkingBudget per effort for models that take a budget (Gemini 2.5: Flash 0-24576,
# Pro 128-32768; https://ai.google.dev/gemini-api/docs/thinking#set-budget).
# Rungs above `high` get Gemini's strongest (24576 is the largest budget every 2.5 model takes);
# `none` is budget 0 (thinking off on 2.5 Flash) or `MINIMAL` (Gemini 3 has no off level).
EFFORT_BUDGETS: dict[str, int] = {
    "none": 0,
    "minimal": 512,
    "low": 1024,
    "medium": 8192,
    "high": 24576,
    "xhigh": 24576,
    "max": 24576,
}
_LEVELS = {
    "none": "MINIMAL",
    "minimal": "MINIMAL",
    "low": "LOW",
    "medium": "MEDIUM",
    "high": "HIGH",
    "xhigh": "HIGH",
    "max": "HIGH",
}
_ABOVE_GEMINI = ("xhigh", "max")  # rungs Gemini has no level or budget for
_MODES = {ToolChoiceMode.AUTO: "AUTO", ToolChoiceMode.NONE: "NONE", ToolChoiceMode.REQUIRED: "ANY"}

Warnings = list[ProviderRuntimeWarning]


def encode_gemini_request(
    request: ProviderRequest,
    model: str,
    *,
    provider: str,
    model_info: ModelInfo | None = None,
) -> tuple[GeminiRequest, Warnings]:
    """The body for ``POST /models/{model}:generateContent`` and what could not be sent."""
    system, contents, warnings = encode_contents(request.messages, provider=provider, model=model)
    body: GeminiRequest = {"contents": contents}
    if system is not None:
        body["systemInstruction"] = system
    if request.tools:
        body["tools"] = [{"functionDeclarations": _declarations(request, warnings)}]
    tool_config = _tool_config(request, warnings)
    if tool_config is not None:
        body["toolConfig"] = tool_config
    config = _generation_config(request, model, model_info, warnings)
    if config:
        body["generationConfig"] = config
    if request.metadata:
        warn(
            warnings,
            "unsupported.metadata",
            "the Gemini API has no request metadata; it was not sent",
            keys=sorted(request.metadata),
        )
    return body, warnings


def _declarations(request: ProviderRequest, warnings: Warnings) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for tool in request.tools:
        schema, notes = convert_schema(tool.parameters, where=f"tools[{tool.name}].parameters")
        warnings.extend(notes)
        # `description` is required by the API reference; a tool without one sends "".
        declaration: dict[str, Any] = {
            "name": tool.name,
            "description": tool.description or "",
            "parametersJsonSchema": schema,
        }
        out.append(declaration)
    return out


def _tool_config(request: ProviderRequest, warnings: Warnings) -> dict[str, Any] | None:
    choice = request.tool_choice
    if choice is None:
        return None
    if not request.tools:
        if choice != ToolChoiceMode.NONE:
            warn(
                warnings,
                "unsupported.tool_choice_without_tools",
                "tool_choice was given without tools; it was not sent",
            )
        return None
    if isinstance(choice, NamedToolChoice):
        calling = {"mode": "ANY", "allowedFunctionNames": [choice.name]}
    else:
        calling = {"mode": _MODES[choice]}
    return {"functionCallingConfig": calling}


def _generation_config(
    request: ProviderRequest, model: str, info: ModelInfo | None, warnings: Warnings
) -> dict[str, Any]:
    config: dict[str, Any] = {}
    if request.temperature is not None:
        config["temperature"] = _temperature(request.temperature, warnings)
    if request.top_p is not None:
        config["topP"] = request.top_p
    if request.max_output_tokens is not None:
        config["maxOutputTokens"] = request.max_output_tokens
    if request.stop:
        config["stopSequences"] = _stop(request.stop, warnings)
    fmt = request.response_format
    if isinstance(fmt, JsonFormat | JsonSchemaFormat):
        config["responseMimeType"] = "application/json"
    if isinstance(fmt, JsonSchemaFormat):
        schema, notes = convert_schema(fmt.schema, where="response_format.schema")
        warnings.extend(notes)
        config["responseJsonSchema"] = schema
    if request.reasoning is not None:
        config["thinkingConfig"] = _thinking(request.reasoning, model, info, warnings)
    return config


def _temperature(value: float, warnings: Warnings) -> float:
    if value <= MAX_TEMPERATURE:
        return value
    warn(
        warnings,
        "unsupported.sampling_parameters",
        "Gemini's temperature ranges from 0 to 2; sent as 2",
        parameters=["temperature"],
        requested={"temperature": value},
        sent={"temperature": MAX_TEMPERATURE},
    )
    return MAX_TEMPERATURE


def _stop(stop: list[str], warnings: Warnings) -> list[str]:
    if len(stop) > MAX_STOP_SEQUENCES:
        warn(
            warnings,
            "unsupported.stop_count",
            f"Gemini takes at most {MAX_STOP_SEQUENCES} stop sequences; the rest were not sent",
            dropped=stop[MAX_STOP_SEQUENCES:],
        )
    return stop[:MAX_STOP_SEQUENCES]


def uses_thinking_level(model: str, info: ModelInfo | None) -> bool:
    """Whether the model takes ``thinkingLevel`` (Gemini 3) rather than ``thinkingBudget``:
    the catalog's reasoning modes say so (``effort``); unknown, the model family decides."""
    modes = info.capabilities.reasoning_modes if info is not None else None
    if modes is not None:
        return "effort" in modes
    return model.removeprefix("models/").startswith("gemini-3")


def _thinking(
    reasoning: ReasoningConfig, model: str, info: ModelInfo | None, warnings: Warnings
) -> dict[str, Any]:
    """``includeThoughts`` always (reasoning was asked for), then a level or a budget."""
    effort, budget = reasoning.effort, reasoning.budget_tokens
    levels = uses_thinking_level(model, info)
    if effort == "none" and not levels:
        return {"thinkingBudget": 0}  # thinking off: nothing to include
    config: dict[str, Any] = {"includeThoughts": True}
    if effort is not None:
        _warn_clamped(effort, levels, warnings)
    if effort is not None and levels:
        config["thinkingLevel"] = _LEVELS[effort]
        if budget is not None:
            warn(
                warnings,
                "unsupported.reasoning_budget",
                f"{model} takes a thinking level; `budget_tokens` was not sent",
                budget_tokens=budget,
            )
    elif budget is not None:
        config["thinkingBudget"] = budget
        if effort is not None:
            warn(
                warnings,
                "unsupported.reasoning_effort",
                "both `effort` and `budget_tokens` were given; the budget was sent",
                effort=effort,
            )
    elif effort is not None:
        config["thinkingBudget"] = EFFORT_BUDGETS[effort]
    return config


def _warn_clamped(effort: str, levels: bool, warnings: Warnings) -> None:
    """Report a rung Gemini cannot express (when the catalog had no levels to apply)."""
    if effort in _ABOVE_GEMINI:
        warn(
            warnings,
            "reasoning.effort_adjusted",
            f"Gemini has no `{effort}` effort; its strongest, `high`, was sent",
            asked=effort,
            applied="high",
        )
    elif effort == "none" and levels:
        warn(
            warnings,
            "reasoning.off_unsupported",
            "Gemini 3 models cannot turn thinking off; the `minimal` level was sent",
            asked="none",
            applied="minimal",
        )
