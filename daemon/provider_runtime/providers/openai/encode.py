"""Canonical ``ProviderRequest`` -> OpenAI Chat Completions request body. Pure.

Follows https://platform.openai.com/docs/api-reference/chat/create. What the target cannot
express becomes an ``unsupported.*`` warning (protocol.md §6 "OpenAI", §9).
"""

from __future__ import annotations

from typing import Any

from ...core.types import (
    JsonFormat,
    JsonSchemaFormat,
    NamedToolChoice,
    ProviderRequest,
    ProviderRuntimeWarning,
    ReasoningConfig,
    ResponseFormat,
    TextFormat,
    ToolChoiceMode,
    ToolDefinition,
)
from .dialect import OPENAI_DIALECT, OpenAIDialect, warning
from .messages import ReasoningReplay, encode_messages

__all__ = [
    "encode_openai_request",
    "encode_response_format",
    "encode_tool_choice",
    "encode_tools",
]

Warnings = list[ProviderRuntimeWarning]

_MAX_TEMPERATURE = 2.0  # CreateChatCompletionRequest: temperature 0..2


def encode_openai_request(
    request: ProviderRequest,
    model: str,
    *,
    dialect: OpenAIDialect = OPENAI_DIALECT,
    replay: ReasoningReplay | None = None,
) -> tuple[dict[str, Any], Warnings]:
    """The native body for ``model`` (the provider's own id) and what could not be sent.

    ``dialect`` describes the endpoint (official OpenAI by default); ``replay`` lets an endpoint
    that accepts reasoning back (OpenRouter) encode assistant reasoning parts.
    """
    messages, warnings = encode_messages(
        request.messages, model=model, dialect=dialect, replay=replay
    )
    body: dict[str, Any] = {"model": model, "messages": messages}
    if request.max_output_tokens is not None:
        body[dialect.max_tokens_field] = request.max_output_tokens
    body.update(_sampling(request, model, dialect, warnings))
    if request.reasoning is not None:
        body.update(_reasoning_effort(request.reasoning, dialect, warnings))
    if request.response_format is not None:
        body.update(encode_response_format(request.response_format, dialect, warnings))
    body.update(encode_tools(request, dialect, warnings))
    body.update(_metadata(request.metadata, dialect, warnings))
    return body, warnings


def _sampling(
    request: ProviderRequest, model: str, dialect: OpenAIDialect, warnings: Warnings
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    restricted = dialect.restricts_sampling(model)
    knobs = {"temperature": request.temperature, "top_p": request.top_p}
    given = [name for name, value in knobs.items() if value is not None]
    if restricted and given:
        warnings.append(
            warning(
                "unsupported.sampling_parameters",
                f"OpenAI reasoning model {model} accepts no {' or '.join(given)}; not sent",
                parameters=given,
            )
        )
    elif given:
        out.update({name: knobs[name] for name in given})
        out.update(_temperature_in_range(out, dialect, warnings))
    if request.stop:
        out.update(_stop(request.stop, model, dialect, restricted, warnings))
    return out


def _temperature_in_range(
    knobs: dict[str, Any], dialect: OpenAIDialect, warnings: Warnings
) -> dict[str, Any]:
    """OpenAI's temperature ranges from 0 to 2: a higher one is sent as 2 (reported)."""
    temperature = knobs.get("temperature")
    if not dialect.official or temperature is None or temperature <= _MAX_TEMPERATURE:
        return {}
    warnings.append(
        warning(
            "unsupported.sampling_parameters",
            f"OpenAI's temperature ranges from 0 to {_MAX_TEMPERATURE:g}; "
            f"sent as {_MAX_TEMPERATURE:g}",
            parameters=["temperature"],
            requested={"temperature": temperature},
            sent={"temperature": _MAX_TEMPERATURE},
        )
    )
    return {"temperature": _MAX_TEMPERATURE}


def _stop(
    stop: list[str], model: str, dialect: OpenAIDialect, restricted: bool, warnings: Warnings
) -> dict[str, Any]:
    if restricted or not dialect.supports_stop:
        target = f"OpenAI reasoning model {model}" if restricted else dialect.provider
        warnings.append(
            warning("unsupported.stop", f"{target} accepts no stop sequences; not sent", stop=stop)
        )
        return {}
    limit = dialect.max_stop_sequences
    if limit is not None and len(stop) > limit:
        warnings.append(
            warning(
                "unsupported.stop_count",
                f"{dialect.provider} accepts at most {limit} stop sequences; "
                f"the first {limit} were sent",
                dropped=stop[limit:],
            )
        )
        stop = stop[:limit]
    return {"stop": list(stop)}


def _reasoning_effort(
    reasoning: ReasoningConfig, dialect: OpenAIDialect, warnings: Warnings
) -> dict[str, Any]:
    if not dialect.supports_reasoning:
        warnings.append(
            warning(
                "unsupported.reasoning",
                f"{dialect.provider} takes no reasoning settings (supports_reasoning = false); "
                "`reasoning` not sent",
            )
        )
        return {}
    if reasoning.budget_tokens is not None:
        sent = "effort only" if reasoning.effort is not None else "no reasoning setting"
        warnings.append(
            warning(
                "unsupported.reasoning_budget",
                f"{dialect.provider} takes a reasoning effort, not a token budget; {sent} sent",
                budget_tokens=reasoning.budget_tokens,
            )
        )
    return {"reasoning_effort": reasoning.effort} if reasoning.effort is not None else {}


def encode_response_format(
    fmt: ResponseFormat, dialect: OpenAIDialect, warnings: Warnings
) -> dict[str, Any]:
    """``response_format``; a schema falls back to JSON mode where only that is supported."""
    if isinstance(fmt, TextFormat):
        return {"response_format": {"type": "text"}}
    if isinstance(fmt, JsonSchemaFormat):
        if dialect.supports_json_schema:
            return {"response_format": {"type": "json_schema", "json_schema": _schema(fmt)}}
        fallback = dialect.supports_json_mode
        warnings.append(
            warning(
                "unsupported.json_schema",
                f"{dialect.provider} does not accept JSON schemas; "
                + ("JSON mode was requested instead" if fallback else "response_format not sent"),
                schema_name=fmt.name,
            )
        )
        return {"response_format": {"type": "json_object"}} if fallback else {}
    assert isinstance(fmt, JsonFormat)
    if dialect.supports_json_mode:
        return {"response_format": {"type": "json_object"}}
    warnings.append(
        warning(
            "unsupported.json_mode",
            f"{dialect.provider} has no JSON mode; response_format not sent",
        )
    )
    return {}


def _schema(fmt: JsonSchemaFormat) -> dict[str, Any]:
    out: dict[str, Any] = {"name": fmt.name}
    if fmt.description is not None:
        out["description"] = fmt.description
    out["schema"] = fmt.schema
    if fmt.strict is not None:
        out["strict"] = fmt.strict
    return out


def encode_tools(
    request: ProviderRequest, dialect: OpenAIDialect, warnings: Warnings
) -> dict[str, Any]:
    """``tools`` and ``tool_choice``; a choice without tools is not sent (the API rejects it)."""
    choice = request.tool_choice
    if request.tools and not dialect.supports_tools:
        warnings.append(
            warning(
                "unsupported.tools",
                f"{dialect.provider} does not accept tools; "
                f"{len(request.tools)} tool(s) and the tool choice not sent",
                tools=[t.name for t in request.tools],
            )
        )
        return {}
    out: dict[str, Any] = {}
    if request.tools:
        out["tools"] = [_tool(t) for t in request.tools]
    if choice is None:
        return out
    if not request.tools:
        if choice != ToolChoiceMode.NONE:
            warnings.append(
                warning(
                    "unsupported.tool_choice_without_tools",
                    "a tool choice was given without tools; it was not sent",
                )
            )
        return out
    out["tool_choice"] = encode_tool_choice(choice)
    return out


def encode_tool_choice(choice: ToolChoiceMode | NamedToolChoice) -> str | dict[str, Any]:
    if isinstance(choice, NamedToolChoice):
        return {"type": "function", "function": {"name": choice.name}}
    return choice.value


def _tool(tool: ToolDefinition) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool.name}
    if tool.description is not None:
        function["description"] = tool.description
    function["parameters"] = tool.parameters
    if tool.strict is not None:
        function["strict"] = tool.strict
    return {"type": "function", "function": function}


def _metadata(
    metadata: dict[str, str], dialect: OpenAIDialect, warnings: Warnings
) -> dict[str, Any]:
    if not metadata:
        return {}
    if dialect.metadata == "send":
        return {"metadata": dict(metadata)}
    if dialect.metadata == "store":
        return {"metadata": dict(metadata), "store": True}
    why = "metadata only for stored completions" if dialect.official else "no request metadata"
    warnings.append(
        warning(
            "unsupported.metadata",
            f"{dialect.provider} accepts {why}; metadata not sent",
            keys=sorted(metadata),
        )
    )
    return {}
