"""Canonical request -> Anthropic Messages request body (pure; no clock, env or network).

Follows https://docs.claude.com/en/api/messages (``anthropic-version: 2023-06-01``) and the
extended-thinking rules of https://docs.claude.com/en/docs/build-with-claude/extended-thinking.
"""

from __future__ import annotations

from typing import Any

from ...core.types import (
    JsonSchemaFormat,
    ModelInfo,
    NamedToolChoice,
    ProviderRequest,
    ProviderRuntimeWarning,
    ToolChoice,
    ToolChoiceMode,
    ToolDefinition,
)
from ..warnings import warn
from .cache import anthropic_cache_placement, mark_block
from .encode_messages import encode_anthropic_messages
from .thinking import EFFORT_BUDGETS, MIN_THINKING_BUDGET, anthropic_turns, encode_thinking
from .wire import AnthropicMessagesRequest, AnthropicTool

__all__ = [
    "DEFAULT_MAX_TOKENS",
    "EFFORT_BUDGETS",
    "JSON_TOOL_NAME",
    "MIN_THINKING_BUDGET",
    "encode_anthropic_request",
    "uses_json_tool",
]

DEFAULT_MAX_TOKENS = 4096
# The tool that carries a json_schema response: Anthropic's GA Messages API (the spec we follow)
# has no response format, so the schema becomes a tool the model is made to call.
JSON_TOOL_NAME = "json_response"
# With thinking on, top_p may only be set between these values (temperature not at all).
_THINKING_TOP_P_MIN = 0.95

Warnings = list[ProviderRuntimeWarning]


def encode_anthropic_request(
    request: ProviderRequest,
    model: str,
    *,
    provider: str = "anthropic",
    model_info: ModelInfo | None = None,
    default_max_tokens: int = DEFAULT_MAX_TOKENS,
) -> tuple[AnthropicMessagesRequest, list[ProviderRuntimeWarning]]:
    """Build the ``POST /v1/messages`` body and the warnings for what could not be expressed.

    ``model`` is the native model id; ``model_info`` (the catalog entry) supplies the default
    ``max_tokens`` when the request sets none, else ``default_max_tokens`` is used.
    """
    cache = anthropic_cache_placement(request, tools=bool(request.tools) or uses_json_tool(request))
    system, messages, warnings = encode_anthropic_messages(
        request.messages, provider=provider, model=model, cache=cache
    )
    warnings.extend(cache.warnings)
    strict = _takes_strict(model_info)
    tools = [_encode_tool(tool, i, strict, warnings) for i, tool in enumerate(request.tools)]
    json_tool = _json_tool(request, warnings)
    if json_tool is not None:
        tools.append(json_tool)
    if tools:
        mark_block(tools[-1], cache.tools)  # type: ignore[arg-type]
    tool_choice = _encode_tool_choice(request.tool_choice, tools, json_tool is not None, warnings)
    forced = tool_choice is not None and tool_choice["type"] in ("any", "tool")
    max_tokens, thinking, effort = encode_thinking(
        request,
        anthropic_turns(messages),
        model_info,
        default_max_tokens,
        forced=forced,
        warnings=warnings,
    )
    body: AnthropicMessagesRequest = (
        {"model": model, "max_tokens": max_tokens, "messages": messages}
        if system is None
        else {"model": model, "max_tokens": max_tokens, "system": system, "messages": messages}
    )
    if tools:
        body["tools"] = tools
    if tool_choice is not None:
        body["tool_choice"] = tool_choice
    if thinking is not None:
        body["thinking"] = thinking
    if effort is not None:
        body["output_config"] = {"effort": effort}
    caps = model_info.capabilities if model_info is not None else None
    sampling = _encode_sampling(
        request,
        thinking_on=_thinking_on(thinking),
        pair=caps is not None and caps.temperature_with_top_p is True,
        warnings=warnings,
    )
    if "temperature" in sampling:
        body["temperature"] = sampling["temperature"]
    if "top_p" in sampling:
        body["top_p"] = sampling["top_p"]
    if request.stop:
        body["stop_sequences"] = list(request.stop)
    metadata = _encode_metadata(request.metadata, warnings)
    if metadata is not None:
        body["metadata"] = metadata
    return body, warnings


def uses_json_tool(request: ProviderRequest) -> bool:
    """Whether the encoded request asks for its json_schema answer through ``JSON_TOOL_NAME``.

    Decided from the canonical request, so a caller's own tool of that name is never mistaken
    for it (the encoder does not emulate in that case).
    """
    return _json_tool(request, []) is not None


# --------------------------------------------------------------------------- tools


def _takes_strict(model_info: ModelInfo | None) -> bool:
    """Strict tool use is a structured-outputs feature: sent to the models the catalog lists
    with structured outputs (``json_schema``: Claude 4.5 and later), per
    https://platform.claude.com/docs/en/build-with-claude/structured-outputs."""
    caps = model_info.capabilities if model_info is not None else None
    return caps is not None and caps.json_schema is True


def _encode_tool(
    tool: ToolDefinition, index: int, strict: bool, warnings: Warnings
) -> AnthropicTool:
    schema = dict(tool.parameters)
    schema.setdefault("type", "object")  # `{}` (no arguments) is common; Anthropic needs a type
    if tool.strict and not strict:
        warn(
            warnings,
            "unsupported.strict",
            f"tool {tool.name!r}: strict schema adherence is not available for this model; "
            "sent without it",
            where=f"tools[{index}]",
        )
    out: AnthropicTool = {"name": tool.name, "input_schema": schema}
    if tool.description:
        out["description"] = tool.description
    if strict and tool.strict is not None:
        out["strict"] = tool.strict
    return out


def _json_tool(request: ProviderRequest, warnings: Warnings) -> AnthropicTool | None:
    """The tool emulating a json_schema response, or None (with a warning when it cannot).

    A ``json`` format never gets here: Anthropic declares no JSON mode, so the runtime's one
    capability pass (``runtime/capabilities.py``) has removed it and said so.
    """
    fmt = request.response_format
    if not isinstance(fmt, JsonSchemaFormat):
        return None
    reason: str | None = None
    if isinstance(request.tool_choice, NamedToolChoice):
        # The caller forces one of its own tools: that call is the answer, not a schema tool.
        reason = f"tool_choice forces the tool {request.tool_choice.name!r}"
    elif request.tool_choice == ToolChoiceMode.NONE:
        reason = "tool_choice `none` forbids the tool that carries the schema"
    elif fmt.schema.get("type") != "object":
        reason = "only a schema whose root is an object can be carried by a tool"
    elif any(tool.name == JSON_TOOL_NAME for tool in request.tools):
        reason = f"a tool is already named {JSON_TOOL_NAME!r}"
    if reason is not None:
        warn(
            warnings,
            "unsupported.json_schema",
            f"json_schema response format not applied: {reason}",
        )
        return None
    if fmt.strict:
        warn(
            warnings,
            "unsupported.strict",
            "json_schema `strict` is not available; the schema is asked for through a tool",
            where="response_format",
        )
    description = fmt.description or f"Respond with a JSON object matching the {fmt.name} schema."
    return {"name": JSON_TOOL_NAME, "description": description, "input_schema": dict(fmt.schema)}


def _encode_tool_choice(
    choice: ToolChoice | None, tools: list[AnthropicTool], json_tool: bool, warnings: Warnings
) -> dict[str, Any] | None:
    if json_tool:
        # Make the model answer through a tool: the json tool alone, or any tool when the
        # caller's own tools may be called instead.
        if len(tools) == 1:
            return {"type": "tool", "name": JSON_TOOL_NAME}
        return {"type": "any"}
    if not tools:
        if choice == ToolChoiceMode.REQUIRED or isinstance(choice, NamedToolChoice):
            warn(
                warnings,
                "unsupported.tool_choice_without_tools",
                "a tool call was required but the request defines no tools; not sent",
            )
        return None  # auto/none without tools mean the same as no tool_choice
    if choice is None:
        return None
    if isinstance(choice, NamedToolChoice):
        return {"type": "tool", "name": choice.name}
    return {"type": {"auto": "auto", "none": "none", "required": "any"}[str(choice)]}


# --------------------------------------------------------------------------- thinking


def _thinking_on(thinking: dict[str, Any] | None) -> bool:
    return thinking is not None and thinking["type"] in ("enabled", "adaptive")


# --------------------------------------------------------------------------- sampling, metadata


def _encode_sampling(
    request: ProviderRequest, *, thinking_on: bool, pair: bool, warnings: Warnings
) -> dict[str, float]:
    """``temperature`` or ``top_p`` within Anthropic's ranges; what does not fit is reported.

    ``pair``: the catalog says the model takes both together (Claude 3 and earlier); unknown
    models are treated as refusing the pair, as every current model does.
    """
    given = {"temperature": request.temperature, "top_p": request.top_p}
    out = {name: value for name, value in given.items() if value is not None}
    if thinking_on:
        dropped = {
            name: value
            for name, value in out.items()
            if (name == "temperature" and value != 1.0)
            or (name == "top_p" and value < _THINKING_TOP_P_MIN)
        }
        if dropped:
            warn(
                warnings,
                "unsupported.sampling_parameters",
                "with thinking enabled Anthropic takes temperature only at 1 and top_p only "
                f"from {_THINKING_TOP_P_MIN} to 1; {' and '.join(dropped)} not sent",
                parameters=list(dropped),
                requested=dropped,
            )
        out = {name: value for name, value in out.items() if name not in dropped}
    if "temperature" in out and "top_p" in out and not pair:
        # Claude 4 and later reject the pair with a 400 (catalog `temperature_with_top_p`).
        warn(
            warnings,
            "unsupported.sampling_parameters",
            "Anthropic takes temperature or top_p, not both; temperature sent, top_p not sent",
            parameters=["top_p"],
            requested={"top_p": out.pop("top_p")},
        )
    if out.get("temperature", 0.0) > 1.0:
        warn(
            warnings,
            "unsupported.sampling_parameters",
            "Anthropic's temperature ranges from 0 to 1; sent as 1",
            parameters=["temperature"],
            requested={"temperature": out["temperature"]},
            sent={"temperature": 1.0},
        )
        out["temperature"] = 1.0
    return out


def _encode_metadata(metadata: dict[str, str], warnings: Warnings) -> dict[str, Any] | None:
    """Anthropic's metadata holds only ``user_id``; other keys are reported, not sent."""
    others = sorted(k for k in metadata if k != "user_id")
    if others:
        warn(
            warnings,
            "unsupported.metadata",
            "Anthropic accepts only the `user_id` metadata key; the others were not sent",
            keys=others,
        )
    if "user_id" in metadata:
        return {"user_id": metadata["user_id"]}
    return None
