"""Canonical ``ProviderRequest`` -> ``POST /responses`` body (``CreateResponse``). Pure.

Follows https://platform.openai.com/docs/api-reference/responses/create. Always stateless:
``store: false``, and ``include: ["reasoning.encrypted_content"]`` for every reasoning model so
its reasoning can be replayed on the next turn. What the API cannot express becomes an
``unsupported.*`` warning (protocol.md §6 "OpenAI Responses", §9).
"""

from __future__ import annotations

from typing import Any

from ....core.types import (
    JsonFormat,
    JsonSchemaFormat,
    ModelInfo,
    NamedToolChoice,
    ProviderRequest,
    ProviderRuntimeWarning,
    ResponseFormat,
    TextFormat,
    ToolChoiceMode,
    ToolDefinition,
)
from ...warnings import warning
from ..cache import encode_cache_options, openai_cache_placement
from ..dialect import OPENAI_DIALECT, is_reasoning_family
from ..encode import encode_tools
from .items import encode_input_items
from .wire import ResponsesBody, ResponsesOptions, ResponsesTool

__all__ = ["encode_responses_request", "reasons", "strict_compatible"]

Warnings = list[ProviderRuntimeWarning]
ENCRYPTED_REASONING = "reasoning.encrypted_content"


def reasons(model: str, info: ModelInfo | None) -> bool:
    """Whether the model reasons: the catalog's word, else OpenAI's reasoning families."""
    known = info.capabilities.reasoning if info is not None else None
    return known if known is not None else is_reasoning_family(model)


def encode_responses_request(
    request: ProviderRequest,
    model: str,
    *,
    provider: str = "openai",
    info: ModelInfo | None = None,
) -> tuple[ResponsesBody, Warnings]:
    """The native body for ``model`` (the provider's own id) and what could not be sent."""
    cache = openai_cache_placement(request, OPENAI_DIALECT, assistant_text=False)
    items, warnings = encode_input_items(
        request.messages, provider=provider, model=model, cache=cache
    )
    warnings.extend(cache.warnings)
    reasoning_model = reasons(model, info)
    options: ResponsesOptions = {}
    if request.max_output_tokens is not None:
        options["max_output_tokens"] = request.max_output_tokens
    options.update(_sampling(request, model, reasoning_model, warnings))
    options.update(_reasoning(request, provider, warnings))
    if reasoning_model or request.reasoning is not None:
        options["include"] = [ENCRYPTED_REASONING]
    if request.response_format is not None:
        options["text"] = {"format": _text_format(request.response_format)}
    options.update(_tools(request, warnings))
    if request.metadata:
        options["metadata"] = dict(request.metadata)
    options.update(encode_cache_options(request))  # type: ignore[typeddict-item]
    body: ResponsesBody = {"model": model, "input": items, "store": False, **options}
    return body, warnings


def _sampling(
    request: ProviderRequest, model: str, reasoning_model: bool, warnings: Warnings
) -> ResponsesOptions:
    knobs: ResponsesOptions = {}
    if request.temperature is not None:
        knobs["temperature"] = min(request.temperature, 2.0)
        if request.temperature > 2.0:
            warnings.append(
                warning(
                    "unsupported.sampling_parameters",
                    "OpenAI's temperature ranges from 0 to 2; sent as 2",
                    parameters=["temperature"],
                    requested={"temperature": request.temperature},
                    sent={"temperature": 2.0},
                )
            )
    if request.top_p is not None:
        knobs["top_p"] = request.top_p
    if request.stop:
        warnings.append(
            warning(
                "unsupported.stop",
                "the Responses API takes no stop sequences; not sent",
                stop=list(request.stop),
            )
        )
    if knobs and reasoning_model:
        given = list(knobs)
        warnings.append(
            warning(
                "unsupported.sampling_parameters",
                f"OpenAI reasoning model {model} accepts no {' or '.join(given)}; not sent",
                parameters=given,
            )
        )
        return {}
    return knobs


def _reasoning(request: ProviderRequest, provider: str, warnings: Warnings) -> ResponsesOptions:
    """``reasoning.effort`` as asked, with ``summary: auto`` so the reasoning comes back as
    readable text too; a token budget cannot be expressed."""
    reasoning = request.reasoning
    if reasoning is None:
        return {}
    if reasoning.budget_tokens is not None:
        sent = "effort only" if reasoning.effort is not None else "no reasoning effort"
        warnings.append(
            warning(
                "unsupported.reasoning_budget",
                f"{provider} takes a reasoning effort, not a token budget; {sent} sent",
                budget_tokens=reasoning.budget_tokens,
            )
        )
    out = {"summary": "auto"}
    if reasoning.effort is not None:
        out = {"effort": reasoning.effort, **out}
    return {"reasoning": out}


def _text_format(fmt: ResponseFormat) -> dict[str, Any]:
    if isinstance(fmt, TextFormat):
        return {"type": "text"}
    if isinstance(fmt, JsonFormat):
        return {"type": "json_object"}
    assert isinstance(fmt, JsonSchemaFormat)
    out: dict[str, Any] = {"type": "json_schema", "name": fmt.name}
    if fmt.description is not None:
        out["description"] = fmt.description
    out["schema"] = fmt.schema
    if fmt.strict is not None:
        out["strict"] = fmt.strict
    return out


def _tools(request: ProviderRequest, warnings: Warnings) -> ResponsesOptions:
    """Tools in the Responses shape; the choice follows Chat Completions' rules (no choice
    without tools), named choices as ``{"type": "function", "name"}``."""
    chat = encode_tools(request, warnings)
    out: ResponsesOptions = {}
    if request.tools:
        out["tools"] = [_tool(t) for t in request.tools]
    if "tool_choice" in chat and request.tool_choice is not None:
        out["tool_choice"] = _tool_choice(request.tool_choice)
    return out


def _tool_choice(choice: ToolChoiceMode | NamedToolChoice) -> str | dict[str, str]:
    if isinstance(choice, NamedToolChoice):
        return {"type": "function", "name": choice.name}
    return choice.value


def _tool(tool: ToolDefinition) -> ResponsesTool:
    """Responses function tools are strict unless told otherwise: ``strict: false`` when the
    tool says so, or leaves it open and its schema would fail strict mode; else ``true`` (the
    API's default, sent because the spec's ``FunctionTool`` requires the field)."""
    out: ResponsesTool = {"type": "function", "name": tool.name}
    if tool.description is not None:
        out["description"] = tool.description
    out["parameters"] = tool.parameters
    out["strict"] = tool.strict if tool.strict is not None else strict_compatible(tool.parameters)
    return out


def strict_compatible(schema: Any) -> bool:
    """True when a JSON Schema meets strict mode's rules: every object lists all its
    properties as required and sets ``additionalProperties: false``
    (https://platform.openai.com/docs/guides/structured-outputs#supported-schemas)."""
    if isinstance(schema, list):
        return all(strict_compatible(s) for s in schema)
    if not isinstance(schema, dict):
        return True
    if schema.get("type") == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is not False:
            return False
        if not isinstance(properties, dict) or set(schema.get("required", [])) != set(properties):
            return False
    nested = [v for k, v in schema.items() if k in _SUBSCHEMAS]
    maps = [v for k, v in schema.items() if k in ("properties", "$defs", "definitions")]
    return all(strict_compatible(n) for n in nested) and all(
        isinstance(m, dict) and strict_compatible(list(m.values())) for m in maps
    )


_SUBSCHEMAS = frozenset({"items", "anyOf", "allOf", "oneOf", "not", "prefixItems"})
