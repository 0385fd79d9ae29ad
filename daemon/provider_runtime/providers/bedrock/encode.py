"""Canonical request -> Bedrock ``Converse`` request body (pure; no clock, env or network).

Follows https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html and the
service model's ``ConverseRequest``; Anthropic models' thinking goes in
``additionalModelRequestFields`` as documented at
https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html.
"""

from __future__ import annotations

from typing import Any

import msgspec

from ...core.types import (
    JsonSchemaFormat,
    ModelInfo,
    NamedToolChoice,
    ProviderRequest,
    ProviderRuntimeWarning,
    ToolChoiceMode,
    ToolDefinition,
)
from ..anthropic.encode import EFFORT_BUDGETS, MIN_THINKING_BUDGET
from ..warnings import warn
from .cache import bedrock_cache_placement, cache_point
from .encode_messages import encode_bedrock_messages
from .wire import BedrockConverseRequest

__all__ = ["THINKING_ANSWER_ROOM", "encode_bedrock_request", "is_anthropic_model"]

# maxTokens sent with thinking on when the request sets none: the budget plus this much answer.
THINKING_ANSWER_ROOM = 4096

Warnings = list[ProviderRuntimeWarning]
_json = msgspec.json.Encoder(order="sorted")


def is_anthropic_model(model: str) -> bool:
    """Claude on Bedrock: ``anthropic.claude-...``, a cross-region profile ``us.anthropic...``,
    or an ARN naming one (``.../us.anthropic.claude-...``)."""
    tail = model.rsplit("/", 1)[-1]
    return tail.startswith("anthropic.") or ".anthropic." in tail


def encode_bedrock_request(
    request: ProviderRequest,
    model: str,
    *,
    provider: str = "bedrock",
    model_info: ModelInfo | None = None,
) -> tuple[BedrockConverseRequest, Warnings]:
    """Build the ``Converse`` body and the warnings for what could not be expressed."""
    cache = bedrock_cache_placement(request)
    system, messages, warnings = encode_bedrock_messages(
        request.messages, provider=provider, model=model, cache=cache
    )
    warnings.extend(cache.warnings)
    body: BedrockConverseRequest = {"messages": messages}
    if system:
        body["system"] = system
    tool_config = _encode_tool_config(request, messages, warnings)
    if tool_config is not None:
        if cache.tools is not None:  # a cache checkpoint after the last tool definition
            tool_config["tools"].append(cache_point(cache.tools))
        body["toolConfig"] = tool_config
    thinking = _encode_thinking(request, model, tool_config, warnings)
    inference = _encode_inference(request, model_info, thinking, warnings)
    if inference:
        body["inferenceConfig"] = inference
    if thinking is not None:
        body["additionalModelRequestFields"] = {"thinking": thinking}
    if isinstance(request.response_format, JsonSchemaFormat):
        body["outputConfig"] = _encode_output_format(request.response_format, warnings)
    if request.metadata:
        body["requestMetadata"] = dict(request.metadata)
    return body, warnings


# --------------------------------------------------------------------------- tools


def _encode_tool(tool: ToolDefinition) -> dict[str, Any]:
    schema = dict(tool.parameters)
    schema.setdefault("type", "object")  # `{}` (no arguments) is common; models need a type
    spec: dict[str, Any] = {"name": tool.name, "inputSchema": {"json": schema}}
    if tool.description:
        spec["description"] = tool.description
    if tool.strict:
        spec["strict"] = True
    return {"toolSpec": spec}


def _has_tool_blocks(messages: list[dict[str, Any]]) -> bool:
    blocks = (block for turn in messages for block in turn["content"])
    return any("toolUse" in block or "toolResult" in block for block in blocks)


def _encode_tool_config(
    request: ProviderRequest, messages: list[dict[str, Any]], warnings: Warnings
) -> dict[str, Any] | None:
    """``toolConfig``; Converse has no `none` choice, so `none` leaves the tools out."""
    choice = request.tool_choice
    if not request.tools:
        if choice == ToolChoiceMode.REQUIRED or isinstance(choice, NamedToolChoice):
            warn(
                warnings,
                "unsupported.tool_choice_without_tools",
                "a tool call was required but the request defines no tools; not sent",
            )
        return None
    tools = [_encode_tool(tool) for tool in request.tools]
    if choice == ToolChoiceMode.NONE:
        if not _has_tool_blocks(messages):
            warn(
                warnings,
                "unsupported.tool_choice",
                "Bedrock has no `none` tool choice; the tools were not sent instead",
                tool_choice="none",
            )
            return None
        # Converse refuses toolUse/toolResult history without a toolConfig: keep the tools.
        warn(
            warnings,
            "unsupported.tool_choice",
            "Bedrock has no `none` tool choice and needs the tools for the tool calls in the "
            "history; sent with the model free to call them",
            tool_choice="none",
        )
        return {"tools": tools}
    config: dict[str, Any] = {"tools": tools}
    if isinstance(choice, NamedToolChoice):
        config["toolChoice"] = {"tool": {"name": choice.name}}
    elif choice == ToolChoiceMode.REQUIRED:
        config["toolChoice"] = {"any": {}}
    elif choice == ToolChoiceMode.AUTO:
        config["toolChoice"] = {"auto": {}}
    return config


# --------------------------------------------------------------------------- output, sampling


def _encode_output_format(fmt: JsonSchemaFormat, warnings: Warnings) -> dict[str, Any]:
    """``outputConfig.textFormat``; the schema travels as a JSON string (JsonSchemaDefinition)."""
    definition: dict[str, Any] = {"schema": _json.encode(fmt.schema).decode(), "name": fmt.name}
    if fmt.description:
        definition["description"] = fmt.description
    if fmt.strict is False:
        warn(
            warnings,
            "unsupported.strict",
            "Bedrock's json_schema output is always enforced; `strict: false` has no effect",
            where="response_format",
        )
    return {"textFormat": {"type": "json_schema", "structure": {"jsonSchema": definition}}}


def _encode_inference(
    request: ProviderRequest,
    model_info: ModelInfo | None,
    thinking: dict[str, Any] | None,
    warnings: Warnings,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    max_tokens = request.max_output_tokens
    if thinking is not None and max_tokens is None:
        max_tokens = thinking["budget_tokens"] + THINKING_ANSWER_ROOM
        if model_info is not None and model_info.max_output_tokens:
            max_tokens = min(max_tokens, model_info.max_output_tokens)
    if max_tokens is not None:
        out["maxTokens"] = max_tokens
    temperature, top_p = request.temperature, request.top_p
    if thinking is not None and (temperature not in (None, 1.0) or top_p is not None):
        warn(
            warnings,
            "unsupported.sampling_parameters",
            "with thinking enabled Claude takes neither a temperature other than 1 nor top_p; "
            "not sent",
            requested={"temperature": temperature, "top_p": top_p},
        )
        temperature, top_p = None, None
    if temperature is not None:
        out["temperature"] = temperature
    if top_p is not None:
        out["topP"] = top_p
    if request.stop:
        out["stopSequences"] = list(request.stop)
    return out


# --------------------------------------------------------------------------- thinking


def _encode_thinking(
    request: ProviderRequest, model: str, tool_config: dict[str, Any] | None, warnings: Warnings
) -> dict[str, Any] | None:
    """Claude's ``thinking`` object for ``additionalModelRequestFields`` (None: not sent)."""
    reasoning = request.reasoning
    if reasoning is None:
        return None
    if not is_anthropic_model(model):
        warn(
            warnings,
            "unsupported.reasoning",
            f"reasoning settings are sent to Bedrock only for Anthropic models; {model} "
            "reasons (or not) by itself",
        )
        return None
    if reasoning.effort == "none" or (reasoning.effort is None and reasoning.budget_tokens == 0):
        return None  # thinking is off unless asked for
    budget = reasoning.budget_tokens or EFFORT_BUDGETS[reasoning.effort or "medium"]
    if budget < MIN_THINKING_BUDGET:
        warn(
            warnings,
            "unsupported.reasoning_budget",
            f"Claude's smallest thinking budget is {MIN_THINKING_BUDGET} tokens; raised to it",
            requested=budget,
            sent=MIN_THINKING_BUDGET,
        )
        budget = MIN_THINKING_BUDGET
    choice = (tool_config or {}).get("toolChoice", {})
    if "any" in choice or "tool" in choice:
        warn(
            warnings,
            "unsupported.reasoning",
            "thinking not enabled: Claude does not allow thinking while a tool call is forced",
        )
        return None
    if request.max_output_tokens is not None and budget >= request.max_output_tokens:
        warn(
            warnings,
            "unsupported.reasoning",
            f"thinking not enabled: the budget ({budget}) must be below max_output_tokens "
            f"({request.max_output_tokens})",
        )
        return None
    return {"type": "enabled", "budget_tokens": budget}
