"""What the target accepts, decided once per call; the request is adapted to it, and each change
is reported with one warning code per condition (protocol.md §9 ``capability.*``, ``handoff.*``).

The target's effective capabilities are the provider's own (the dialect's facts and the config's
quirks, as its adapter declares them) narrowed by the catalog's entry for the model: only a
``False`` there narrows, unknown (``None``) leaves the provider's word. Encoders trust the
result and make no such decision again. A new decision is one more step of ``prepare_request``:
cache intent is the step ``cache_intent.decide_cache``; the effort ladder and budgets are the
model steps ``_effort`` and ``_budget``, which read the catalog's reasoning controls.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import msgspec

from ..catalog.effort import nearest_effort
from ..core.types import (
    JsonFormat,
    JsonSchemaFormat,
    ModelCapabilities,
    ModelInfo,
    ModelRef,
    ProviderCapabilities,
    ProviderRequest,
    ProviderRuntimeWarning,
    ReasoningConfig,
)
from ..handoff import HandoffTarget, normalize_handoff_messages
from .cache_intent import decide_cache

__all__ = ["effective_capabilities", "prepare_request"]

Warnings = list[ProviderRuntimeWarning]
# One decision about the request's own fields: (request, capabilities, target name) -> changes.
Step = Callable[[ProviderRequest, ProviderCapabilities, str, Warnings], dict[str, object]]
# One decision that needs the catalog's word on the model (None: the catalog has no entry):
# (request as the steps above left it, model capabilities, target name) -> changes.
ModelStep = Callable[[ProviderRequest, ModelCapabilities | None, str, Warnings], dict[str, object]]


def effective_capabilities(
    provider: ProviderCapabilities, info: ModelInfo | None, model_id: str | None = None
) -> ProviderCapabilities:
    """The provider's capabilities, less what the catalog says the model lacks and, where the
    provider takes reasoning settings only for some models, reasoning for the others."""
    pattern = provider.reasoning_models
    if provider.reasoning and pattern and model_id and re.match(pattern, model_id) is None:
        provider = msgspec.structs.replace(provider, reasoning=False)
    model = info.capabilities if info is not None else None
    if model is None:
        return provider
    return msgspec.structs.replace(
        provider,
        tools=provider.tools and model.tools is not False,
        vision=provider.vision and model.vision is not False,
        json_schema=provider.json_schema and model.json_schema is not False,
        reasoning=provider.reasoning and model.reasoning is not False,
    )


def prepare_request(
    request: ProviderRequest, ref: ModelRef, info: ModelInfo | None, provider: ProviderCapabilities
) -> tuple[ProviderRequest, Warnings]:
    """The request as the target ``ref`` accepts it, and what was changed (handoff first)."""
    assert ref.provider is not None
    caps = effective_capabilities(provider, info, ref.id)
    name = f"{ref.provider}/{ref.id}"
    warnings: Warnings = []
    changes: dict[str, object] = {}
    for step in _STEPS:
        changes.update(step(request, caps, name, warnings))
    request = msgspec.structs.replace(request, **changes)  # a step may change the messages
    model = info.capabilities if info is not None else None
    for model_step in _MODEL_STEPS:
        request = msgspec.structs.replace(request, **model_step(request, model, name, warnings))
    target = HandoffTarget(provider=ref.provider, model=ref.id, capabilities=caps)
    messages, handoff_warnings = normalize_handoff_messages(request.messages, target)
    request = msgspec.structs.replace(request, model=ref, messages=messages)
    return request, [*handoff_warnings, *warnings]


def _warning(code: str, message: str, **details: object) -> ProviderRuntimeWarning:
    return ProviderRuntimeWarning(code=code, message=message, details=details)


def _tools(
    request: ProviderRequest, caps: ProviderCapabilities, name: str, warnings: Warnings
) -> dict[str, object]:
    if not request.tools or caps.tools:
        return {}
    warnings.append(
        _warning(
            "capability.tools_removed",
            f"{name} does not support tools; {len(request.tools)} tool(s) not sent",
            tools=[t.name for t in request.tools],
        )
    )
    return {"tools": [], "tool_choice": None}


def _response_format(
    request: ProviderRequest, caps: ProviderCapabilities, name: str, warnings: Warnings
) -> dict[str, object]:
    fmt = request.response_format
    if isinstance(fmt, JsonSchemaFormat) and not caps.json_schema:
        if caps.json_mode:
            message = f"{name} does not support JSON schemas; asked for plain JSON output instead"
        else:
            message = f"{name} supports no structured output; response_format not sent"
        warnings.append(
            _warning("capability.json_schema_downgraded", message, schema_name=fmt.name)
        )
        return {"response_format": JsonFormat() if caps.json_mode else None}
    if isinstance(fmt, JsonFormat) and not caps.json_mode:
        hint = " (a json_schema format is supported)" if caps.json_schema else ""
        warnings.append(
            _warning(
                "capability.json_mode_removed",
                f"{name} supports no JSON mode; response_format not sent{hint}",
            )
        )
        return {"response_format": None}
    return {}


def _reasoning(
    request: ProviderRequest, caps: ProviderCapabilities, name: str, warnings: Warnings
) -> dict[str, object]:
    if request.reasoning is None or caps.reasoning:
        return {}
    warnings.append(
        _warning(
            "capability.reasoning_removed",
            f"{name} does not support reasoning settings; `reasoning` not sent",
        )
    )
    return {"reasoning": None}


_STEPS: tuple[Step, ...] = (_tools, _response_format, _reasoning, decide_cache)


def _effort(
    request: ProviderRequest, model: ModelCapabilities | None, name: str, warnings: Warnings
) -> dict[str, object]:
    """The asked effort, or the nearest one the model accepts (``catalog/effort.py``).

    Unknown data passes the asked effort through. A model that takes no level but a budget
    (``reasoning_efforts == []``, mode ``budget``) keeps the effort: its encoder turns it into
    a budget. ``none`` (or a zero budget alone) on a model that cannot turn reasoning off
    becomes its weakest level.
    """
    reasoning = request.reasoning
    if reasoning is None or model is None:
        return {}
    asked = reasoning.effort
    if asked is None and reasoning.budget_tokens == 0:
        asked = "none"  # a zero budget asks for no reasoning too
    if asked is None:
        return {}
    applied = nearest_effort(asked, model.reasoning_efforts, off=model.reasoning_off)
    if applied == asked:
        return {}
    if asked == "none":
        sent = f"the `{applied}` effort was sent" if applied else "the model's default was kept"
        warnings.append(
            _warning(
                "reasoning.off_unsupported",
                f"{name} cannot answer without reasoning; {sent}",
                asked=asked,
                applied=applied,
            )
        )
    elif applied is None:
        if "budget" in (model.reasoning_modes or ()):
            return {}  # expressed as a thinking budget by the encoder
        warnings.append(
            _warning(
                "reasoning.effort_adjusted",
                f"{name} takes no effort level; `{asked}` not sent",
                asked=asked,
                applied=None,
            )
        )
    else:
        warnings.append(
            _warning(
                "reasoning.effort_adjusted",
                f"{name} does not offer the `{asked}` effort; the nearest it offers, "
                f"`{applied}`, was sent",
                asked=asked,
                applied=applied,
            )
        )
    budget = None if reasoning.budget_tokens == 0 else reasoning.budget_tokens
    return {"reasoning": ReasoningConfig(effort=applied, budget_tokens=budget)}


def _budget(
    request: ProviderRequest, model: ModelCapabilities | None, name: str, warnings: Warnings
) -> dict[str, object]:
    """A token budget only for a model the catalog says takes one (unknown: as asked)."""
    reasoning = request.reasoning
    modes = model.reasoning_modes if model is not None else None
    if reasoning is None or reasoning.budget_tokens is None or modes is None:
        return {}
    if "budget" in modes or reasoning.budget_tokens == 0:
        return {}  # a zero budget means "no reasoning", handled as such by every encoder
    rest = f"the `{reasoning.effort}` effort was sent" if reasoning.effort else "not sent"
    warnings.append(
        _warning(
            "reasoning.budget_unsupported",
            f"{name} takes no reasoning token budget; `budget_tokens` {rest}",
            budget_tokens=reasoning.budget_tokens,
        )
    )
    return {"reasoning": msgspec.structs.replace(reasoning, budget_tokens=None)}


_MODEL_STEPS: tuple[ModelStep, ...] = (_effort, _budget)
