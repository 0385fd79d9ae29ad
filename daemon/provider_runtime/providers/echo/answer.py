"""Pure answer logic of the echo provider: reply text, tool calls, usage and ids from the request.

Same request in, same response out: no clock, randomness, environment or network. The rules are
documented in protocol.md §8 ("The offline `echo` provider").
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec

from ...core.errors import ErrorKind, ProviderError
from ...core.tokens import estimate_request_tokens, estimate_tokens
from ...core.types import (
    AssistantOutput,
    CacheBreakpoint,
    FinishReason,
    ImagePart,
    JsonFormat,
    JsonSchemaFormat,
    Message,
    MessageRole,
    NamedToolChoice,
    ProviderRequest,
    ProviderResponse,
    ProviderRuntimeWarning,
    TextPart,
    ToolCall,
    ToolChoiceMode,
    ToolResult,
    Usage,
)

__all__ = ["MAX_SLEEP_SECONDS", "answer_echo_request", "echo_delay", "estimate_tokens"]

MAX_SLEEP_SECONDS = 60.0

# Typical HTTP status of each error kind, for `/error KIND` (None: not an HTTP answer).
_ERROR_STATUS: dict[ErrorKind, int | None] = {
    ErrorKind.AUTHENTICATION: 401,
    ErrorKind.PAYMENT_REQUIRED: 402,
    ErrorKind.PERMISSION: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.INVALID_REQUEST: 400,
    ErrorKind.CONTEXT_LENGTH_EXCEEDED: 400,
    ErrorKind.CONTENT_FILTER: 400,
    ErrorKind.REQUEST_TOO_LARGE: 413,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.SERVER: 500,
    ErrorKind.OVERLOADED: 529,
}

_FINISH_RAW: dict[FinishReason, str] = {
    FinishReason.STOP: "stop",
    FinishReason.LENGTH: "length",
    FinishReason.TOOL_CALLS: "tool_calls",
}

_encode = msgspec.json.Encoder(order="deterministic").encode


def echo_delay(request: ProviderRequest) -> float:
    """Seconds to wait before answering: ``/sleep SECONDS`` in the last user text (capped)."""
    command = _command(_last_user_text(request.messages))
    if command is None or command[0] != "sleep":
        return 0.0
    head = command[1].split(maxsplit=1)
    try:
        seconds = float(head[0]) if head else 0.0
    except ValueError:
        return 0.0
    return min(max(seconds, 0.0), MAX_SLEEP_SECONDS) if seconds == seconds else 0.0


def answer_echo_request(
    request: ProviderRequest, *, provider: str, model: str, context_window: int | None = None
) -> ProviderResponse:
    """The echo answer to ``request``; raises ``ProviderError`` as a real provider would."""
    input_tokens = estimate_request_tokens(request)
    if context_window is not None and input_tokens > context_window:
        raise ProviderError(
            ErrorKind.CONTEXT_LENGTH_EXCEEDED,
            f"prompt is {input_tokens} tokens, over the {context_window}-token context window",
            provider=provider,
            status=400,
            provider_code="context_length_exceeded",
        )
    request_id = "echo-" + hashlib.sha256(_encode(request)).hexdigest()[:24]
    prompt = _last_user_text(request.messages)
    command = _command(prompt) if _ends_with_user_text(request.messages) else None
    if command is not None and command[0] == "error":
        raise _requested_error(command[1], provider, request_id)

    warnings: list[ProviderRuntimeWarning] = []
    calls = _tool_calls(request, command, provider, request_id, warnings)
    if calls:
        output_tokens = sum(estimate_tokens(c.name + _encode(c.arguments).decode()) for c in calls)
        output = AssistantOutput(content=list(calls))
        finish = FinishReason.TOOL_CALLS
    else:
        text, finish = _limit(_reply_text(request, command), request)
        output_tokens = estimate_tokens(text)
        output = AssistantOutput(content=[TextPart(text=text)] if text else [])
    return ProviderResponse(
        provider=provider,
        model=model,
        output=output,
        finish_reason=finish,
        finish_reason_raw=_FINISH_RAW[finish],
        usage=Usage(
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            total_tokens=input_tokens + output_tokens,
        ),
        warnings=warnings,
        request_id=request_id,
    )


# --------------------------------------------------------------------------- reading the request


def _command(text: str) -> tuple[str, str] | None:
    """``/tool``, ``/error`` or ``/sleep`` at the start of the text: (name, rest)."""
    stripped = text.lstrip()
    for name in ("tool", "error", "sleep"):
        prefix = "/" + name
        if stripped.startswith(prefix) and stripped[len(prefix) : len(prefix) + 1].isspace():
            return name, stripped[len(prefix) :].strip()
        if stripped == prefix:
            return name, ""
    return None


def _text_of(message: Message) -> str:
    return "".join(p.text for p in message.parts() if isinstance(p, TextPart))


def _last_user_text(messages: list[Message]) -> str:
    for message in reversed(messages):
        if message.role == MessageRole.USER and _text_of(message):
            return _text_of(message)
    return ""


def _ends_with_user_text(messages: list[Message]) -> bool:
    """True when the conversation's last turn is the user asking (not a tool result)."""
    if not messages or messages[-1].role != MessageRole.USER:
        return False
    parts = messages[-1].parts()
    return not any(isinstance(p, ToolResult) for p in parts) and bool(_text_of(messages[-1]))


def _tool_results(message: Message) -> list[ToolResult]:
    return [p for p in message.parts() if isinstance(p, ToolResult)]


# --------------------------------------------------------------------------- tool calls


def _tool_calls(
    request: ProviderRequest,
    command: tuple[str, str] | None,
    provider: str,
    request_id: str,
    warnings: list[ProviderRuntimeWarning],
) -> list[ToolCall]:
    choice = request.tool_choice
    if not request.tools or choice == ToolChoiceMode.NONE:
        return []
    if not _ends_with_user_text(request.messages):
        return []  # answer tool results with text, so a caller's tool loop ends
    tools = {t.name: t for t in request.tools}
    if isinstance(choice, NamedToolChoice) and choice.name not in tools:
        raise ProviderError(
            ErrorKind.INVALID_REQUEST,
            f"tool_choice names `{choice.name}`, which is not among the request's tools",
            provider=provider,
            status=400,
        )
    if command is not None and command[0] == "tool":
        name, _, raw = command[1].partition(" ")
        forced = choice.name if isinstance(choice, NamedToolChoice) else None
        if name in tools and forced in (None, name):
            return [_parsed_call(name, raw.strip(), request_id, warnings)]
    if isinstance(choice, NamedToolChoice):
        name = choice.name
    elif choice == ToolChoiceMode.REQUIRED:
        name = request.tools[0].name
    else:
        return []
    arguments = _sample(tools[name].parameters, _last_user_text(request.messages), 0)
    return [_call(name, arguments if isinstance(arguments, dict) else {}, None, request_id)]


def _parsed_call(
    name: str, raw: str, request_id: str, warnings: list[ProviderRuntimeWarning]
) -> ToolCall:
    if not raw:
        return _call(name, {}, None, request_id)
    try:
        arguments = msgspec.json.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError):
        arguments = None
    if isinstance(arguments, dict):
        return _call(name, arguments, None, request_id)
    call = _call(name, {}, raw, request_id)
    warnings.append(
        ProviderRuntimeWarning(
            code="response.invalid_tool_arguments",
            message=f"the arguments of tool call `{name}` are not a JSON object; kept raw",
            details={"tool_call_id": call.id, "name": name},
        )
    )
    return call


def _call(name: str, arguments: dict[str, Any], raw: str | None, request_id: str) -> ToolCall:
    digest = hashlib.sha256(f"{request_id}:{name}".encode()).hexdigest()[:24]
    return ToolCall(id=f"call_{digest}", name=name, arguments=arguments, raw_arguments=raw)


def _sample(schema: Any, text: str, depth: int) -> Any:
    """A small value that fits a JSON Schema: const, enum, default, else a value per type."""
    if not isinstance(schema, dict) or depth > 8:
        return None
    for key in ("const", "default"):
        if key in schema:
            return schema[key]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if isinstance(schema.get(key), list) and schema[key]:
            return _sample(schema[key][0], text, depth + 1)
    kind = schema.get("type", "object" if "properties" in schema else None)
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object":
        properties = schema.get("properties")
        if not isinstance(properties, dict):
            return {}
        return {key: _sample(sub, text, depth + 1) for key, sub in properties.items()}
    if kind == "array":
        count = schema.get("minItems", 0)
        item = _sample(schema.get("items"), text, depth + 1)
        return [item] * count if isinstance(count, int) and 0 < count <= 16 else []
    scalars: dict[str, Any] = {"string": text, "boolean": False, "null": None}
    if kind in ("integer", "number"):
        minimum = schema.get("minimum", 0)
        return minimum if isinstance(minimum, int | float) else 0
    return scalars.get(kind) if isinstance(kind, str) else None


# --------------------------------------------------------------------------- text replies


def _reply_text(request: ProviderRequest, command: tuple[str, str] | None) -> str:
    last = request.messages[-1] if request.messages else None
    results = _tool_results(last) if last is not None else []
    if results:
        shown = "; ".join(f"{r.tool_call_id}: {_result_text(r)}" for r in results)
        return _formatted(f"tool results: {shown}{_cache_note(request)}", request)
    prompt = _last_user_text(request.messages)
    if command is not None and command[0] == "sleep":
        parts = command[1].split(maxsplit=1)
        prompt = parts[1] if len(parts) > 1 else ""
    elif command is not None and command[0] == "tool":
        name = command[1].partition(" ")[0]
        known = ", ".join(t.name for t in request.tools) or "none"
        prompt = (
            "no tool call: tool_choice is `none`"
            if request.tool_choice == ToolChoiceMode.NONE and name in known.split(", ")
            else f"no tool call: tool `{name}` is not offered (tools: {known})"
        )
    images = sum(isinstance(p, ImagePart) for p in (last.parts() if last is not None else []))
    if images:
        prompt += f" [{images} image{'s' if images > 1 else ''}]"
    return _formatted(prompt + _cache_note(request), request)


def _cache_note(request: ProviderRequest) -> str:
    """The cache intent that reached the provider, so that clients can test it offline."""
    ttls = [p.ttl for m in request.messages for p in m.parts() if isinstance(p, CacheBreakpoint)]
    items = [f"breakpoints {','.join(ttls)}"] if ttls else []
    if request.cache_key is not None:
        items.append(f"key {request.cache_key}")
    if request.cache_retention != "default":
        items.append(f"retention {request.cache_retention}")
    return f" [cache: {'; '.join(items)}]" if items else ""


def _result_text(result: ToolResult) -> str:
    if isinstance(result.content, str):
        return result.content
    return "".join(p.text if isinstance(p, TextPart) else "[image]" for p in result.content)


def _formatted(text: str, request: ProviderRequest) -> str:
    fmt = request.response_format
    if isinstance(fmt, JsonSchemaFormat):
        return _encode(_sample(fmt.schema, text, 0)).decode()
    if isinstance(fmt, JsonFormat):
        return _encode({"echo": text}).decode()
    return f"echo: {text}" if text else "echo:"


def _limit(text: str, request: ProviderRequest) -> tuple[str, FinishReason]:
    """Cut at the first stop sequence; then at ``max_output_tokens`` (finish ``length``)."""
    cuts = [text.find(s) for s in request.stop if s and s in text]
    if cuts:
        text = text[: min(cuts)]
    limit = request.max_output_tokens
    if limit is not None and estimate_tokens(text) > limit:
        return text[: limit * 4], FinishReason.LENGTH
    return text, FinishReason.STOP


def _requested_error(argument: str, provider: str, request_id: str) -> ProviderError:
    name, _, message = argument.partition(" ")
    try:
        kind = ErrorKind(name)
    except ValueError:
        known = ", ".join(k.value for k in ErrorKind)
        kind, message = ErrorKind.INVALID_REQUEST, f"unknown error kind `{name}` (known: {known})"
    return ProviderError(
        kind,
        message or f"simulated {kind.value} error",
        provider=provider,
        status=_ERROR_STATUS.get(kind),
        provider_code=f"echo_{kind.value}",
        request_id=request_id,
        retry_after=1.0 if kind == ErrorKind.RATE_LIMITED else None,
    )
