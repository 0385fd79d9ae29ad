"""Canonical request -> Bedrock ``Converse`` request body (pure; no clock, env or network).

Follows https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html and the
service model's ``ConverseRequest``; Anthropic models' thinking (and effort) goes in
``additionalModelRequestFields`` as documented at
https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-extended-thinking.html and
https://docs.aws.amazon.com/bedrock/latest/userguide/claude-messages-adaptive-thinking.html,
decided by the Anthropic encoder's own rules (``providers/anthropic/thinking.py``).
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
from ..anthropic.thinking import Thinking, Turn, encode_thinking
from ..warnings import warn
from .cache import bedrock_cache_placement, cache_point
from .encode_messages import encode_bedrock_messages
from .wire import BedrockConverseRequest

__all__ = [
    "THINKING_ANSWER_ROOM",
    "converse_turns",
    "encode_bedrock_request",
    "is_anthropic_model",
]

# With thinking on and no maxTokens asked: the room for the answer beside the thinking (the
# Anthropic encoder's default max_tokens, applied by its rules). Without thinking, no maxTokens
# is sent unless asked: the model's own default applies.
THINKING_ANSWER_ROOM = 4096
# Converse block -> the kind Claude's thinking rules look at (``Turn``).
_BLOCK_KINDS = {"toolUse": "tool_use", "toolResult": "tool_result", "reasoningContent": "thinking"}

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
    thinking = _encode_thinking(request, model, model_info, messages, tool_config, warnings)
    inference = _encode_inference(request, thinking, warnings)
    if inference:
        body["inferenceConfig"] = inference
    fields = _model_fields(thinking)
    if fields:
        body["additionalModelRequestFields"] = fields
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
    request: ProviderRequest, thinking: Thinking | None, warnings: Warnings
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    thinking_on = thinking is not None and thinking.on
    max_tokens = request.max_output_tokens
    if thinking is not None and thinking_on:
        max_tokens = thinking.max_tokens  # the asked one, or room for thinking and answer
    if max_tokens is not None:
        out["maxTokens"] = max_tokens
    temperature, top_p = request.temperature, request.top_p
    if thinking_on and (temperature not in (None, 1.0) or top_p is not None):
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


def converse_turns(messages: list[dict[str, Any]]) -> list[Turn]:
    """The ``Turn``s of Converse messages, for Claude's thinking rules."""
    return [
        Turn(
            m["role"],
            frozenset(_BLOCK_KINDS[k] for b in m["content"] for k in b if k in _BLOCK_KINDS),
        )
        for m in messages
    ]


def _encode_thinking(
    request: ProviderRequest,
    model: str,
    model_info: ModelInfo | None,
    messages: list[dict[str, Any]],
    tool_config: dict[str, Any] | None,
    warnings: Warnings,
) -> Thinking | None:
    """Claude's thinking, as the Anthropic encoder decides it (None: no reasoning asked, or a
    model that takes none of it through Converse)."""
    if request.reasoning is None:
        return None
    if not is_anthropic_model(model):
        warn(
            warnings,
            "unsupported.reasoning",
            f"reasoning settings are sent to Bedrock only for Anthropic models; {model} "
            "reasons (or not) by itself",
        )
        return None
    choice = (tool_config or {}).get("toolChoice", {})
    forced = "any" in choice or "tool" in choice
    return encode_thinking(
        request,
        converse_turns(messages),
        model_info,
        THINKING_ANSWER_ROOM,
        forced=forced,
        warnings=warnings,
    )


def _model_fields(thinking: Thinking | None) -> dict[str, Any]:
    """``additionalModelRequestFields``: Claude's ``thinking`` and ``output_config.effort``."""
    fields: dict[str, Any] = {}
    if thinking is not None and thinking.thinking is not None:
        fields["thinking"] = thinking.thinking
    if thinking is not None and thinking.effort is not None:
        fields["output_config"] = {"effort": thinking.effort}
    return fields
