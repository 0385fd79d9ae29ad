"""OpenRouter responses, errors and ``/models`` -> canonical types. Pure.

Reuses the OpenAI decoder and adds what OpenRouter reports beyond Chat Completions:
``reasoning_details`` (https://openrouter.ai/docs/use-cases/reasoning-tokens),
``native_finish_reason``, ``usage.cost``, numeric error codes with upstream metadata
(https://openrouter.ai/docs/api-reference/errors) and per-token model prices.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

from ...core.errors import ErrorKind, ProviderError
from ...core.types import (
    REASONING_EFFORTS,
    AssistantOutput,
    CostBreakdown,
    FinishReason,
    ModelCapabilities,
    ModelInfo,
    ModelPricing,
    PriceTier,
    PricingSource,
    ProviderResponse,
    ProviderRuntimeWarning,
    ReasoningPart,
)
from ..openai.decode import (
    FINISH_REASONS as OPENAI_FINISH_REASONS,
)
from ..openai.decode import (
    decode_message,
    first_choice,
    map_finish_reason,
    map_usage,
    parse_body,
    unify_finish,
)
from ..openai.errors import decode_openai_error, parse_error_body, refine_kind, status_kind
from ..warnings import warning
from .wire import (
    OpenRouterChatCompletion,
    OpenRouterChoice,
    OpenRouterCostDetails,
    OpenRouterModel,
    OpenRouterModelList,
    OpenRouterModelReasoning,
    OpenRouterPricing,
    OpenRouterPricingOverride,
    OpenRouterUsage,
)

__all__ = [
    "FINISH_REASONS",
    "decode_openrouter_error",
    "decode_openrouter_models",
    "decode_openrouter_models_page",
    "decode_openrouter_response",
    "per_million",
    "reasoning_parts",
]

FINISH_REASONS: dict[str, FinishReason] = {**OPENAI_FINISH_REASONS, "error": FinishReason.ERROR}

_json = msgspec.json.Encoder(order="deterministic")
_MIRRORED = {"reasoning.text": ("text", "signature"), "reasoning.summary": ("summary",)}
_UPSTREAM_CHARS = 300


def reasoning_parts(
    details: list[dict[str, Any]], *, provider: str, model: str
) -> list[ReasoningPart]:
    """One part per ``reasoning_details`` entry, keeping all that is needed to replay it.

    Readable text goes to ``text`` (and ``signature``); ``data`` holds the rest of the
    entry (type, id, format, index, encrypted data) as compact JSON with sorted keys.
    """
    parts: list[ReasoningPart] = []
    for detail in details:
        kind = detail.get("type")
        mirrored = _MIRRORED.get(kind, ()) if isinstance(kind, str) else ()
        rest = {k: v for k, v in detail.items() if k not in mirrored}
        text = detail.get("text") if kind == "reasoning.text" else detail.get("summary")
        signature = detail.get("signature") if kind == "reasoning.text" else None
        parts.append(
            ReasoningPart(
                text=text if isinstance(text, str) and mirrored else "",
                signature=signature if isinstance(signature, str) else None,
                redacted=not mirrored,
                data=_json.encode(rest).decode(),
                provider=provider,
                model=model,
            )
        )
    return parts


def _choice_warnings(choice: OpenRouterChoice) -> list[ProviderRuntimeWarning]:
    if choice.error is None:
        return []
    message = choice.error.get("message")
    return [
        warning(
            "response.provider_error",
            f"the upstream provider failed while generating: {message or 'no message'}",
            error_code=choice.error.get("code"),
        )
    ]


_response = msgspec.json.Decoder(OpenRouterChatCompletion)


def decode_openrouter_response(
    body: bytes,
    *,
    provider: str = "openrouter",
    request_id: str | None = None,
    requested_model: str | None = None,
) -> ProviderResponse:
    """A 2xx body as a canonical response; ``cost`` is what OpenRouter reports (``usage``).

    ``request_id`` is the generation id (the body's ``id``, which OpenRouter's /generation
    endpoint and dashboard use), else the header value. ``finish_reason_raw`` is the upstream
    ``native_finish_reason`` when given. A 2xx body holding only an ``error`` is raised.
    """
    completion = parse_body(body, _response, provider=provider, what="chat completion")
    if not completion.choices and completion.error is not None:
        code = completion.error.get("code")
        status = code if isinstance(code, int) else 502
        raise decode_openrouter_error(status, body, provider=provider, request_id=request_id)
    choice = first_choice(completion.choices, provider, body)
    model = completion.model or requested_model or ""
    reasoning_model = requested_model or model
    warnings = _choice_warnings(choice)
    details = choice.message.reasoning_details
    parts, refused = decode_message(
        choice.message,
        provider=provider,
        model=reasoning_model,
        warnings=warnings,
        reasoning=(
            reasoning_parts(details, provider=provider, model=reasoning_model) if details else None
        ),
    )
    finish = map_finish_reason(choice.finish_reason, FINISH_REASONS)
    usage = completion.usage
    return ProviderResponse(
        provider=provider,
        model=model,
        output=AssistantOutput(content=parts),
        finish_reason=unify_finish(finish, parts, refused),
        finish_reason_raw=choice.native_finish_reason or choice.finish_reason,
        usage=map_usage(usage),
        cost=_reported_cost(usage),
        warnings=warnings,
        request_id=completion.id or request_id,
    )


def _reported_cost(usage: OpenRouterUsage | None) -> CostBreakdown | None:
    """``usage.cost``; for a BYOK call that is only OpenRouter's fee, so the upstream's charge
    (``cost_details.upstream_inference_cost``) is added, and its prompt and completion parts
    give ``input`` and ``output``. Unreported upstream cost makes the figure ``partial``.
    """
    if usage is None or usage.cost is None:
        return None
    source = PricingSource.PROVIDER_REPORTED
    if not usage.is_byok:
        return CostBreakdown(total=usage.cost, source=source)
    details = usage.cost_details or OpenRouterCostDetails()
    upstream = details.upstream_inference_cost
    if upstream is None:
        return CostBreakdown(
            total=usage.cost, source=source, partial=True, missing_components=["input", "output"]
        )
    return CostBreakdown(
        total=usage.cost + upstream,
        source=source,
        input=details.upstream_inference_prompt_cost,
        output=details.upstream_inference_completions_cost,
    )


def _upstream_message(raw: Any) -> str | None:
    """The upstream provider's own message inside ``metadata.raw`` (often a JSON string)."""
    if raw is None:
        return None
    if isinstance(raw, str):
        info = parse_error_body(raw.encode())
        text = info.message if info is not None and info.message else raw
    else:
        info = parse_error_body(_json.encode(raw))
        text = info.message if info is not None and info.message else _json.encode(raw).decode()
    text = " ".join(text.split())
    return text if len(text) <= _UPSTREAM_CHARS else text[: _UPSTREAM_CHARS - 3] + "..."


def decode_openrouter_error(
    status: int,
    body: bytes,
    *,
    provider: str = "openrouter",
    request_id: str | None = None,
    retry_after: float | None = None,
    headers: Mapping[str, str] | None = None,  # not read: the body says it all
) -> ProviderError:
    """``{"error": {"code": 402, "message", "metadata"}}`` -> ``ProviderError`` (never raises).

    "Provider returned error" is completed with the upstream's name and message
    (``metadata.provider_name``/``raw``); moderation and guardrail blocks (``metadata.reasons``
    or ``flagged_input``/``patterns``) are ``content_filter``.
    """
    info = parse_error_body(body)
    if info is None or not info.error:
        return decode_openai_error(
            status, body, provider=provider, request_id=request_id, retry_after=retry_after
        )
    raw_metadata = info.error.get("metadata")
    metadata: dict[str, Any] = raw_metadata if isinstance(raw_metadata, dict) else {}
    message = info.message or f"HTTP {status} without an error message"
    upstream = _upstream_message(metadata.get("raw"))
    name = metadata.get("provider_name")
    if name or upstream:
        message += f" ({name or 'upstream'}: {upstream})" if upstream else f" ({name})"
    reasons = metadata.get("reasons")
    if isinstance(reasons, list) and reasons:
        message += "; flagged for: " + ", ".join(str(r) for r in reasons)
    code = info.error.get("code")
    kind = refine_kind(
        status_kind(status), status, code if isinstance(code, str) else None, message
    )
    if any(key in metadata for key in ("reasons", "flagged_input", "patterns")):
        kind = ErrorKind.CONTENT_FILTER
    if retry_after is None and isinstance(metadata.get("retry_after_seconds"), int | float):
        retry_after = float(metadata["retry_after_seconds"])
    return ProviderError(
        kind,
        message,
        provider=provider,
        status=status,
        provider_code=None if code is None else str(code),
        request_id=request_id,
        retry_after=retry_after,
    )


def per_million(value: str | None) -> Decimal | None:
    """A per-token USD price string as exact USD per million tokens (negative: unknown)."""
    if value is None:
        return None
    try:
        price = Decimal(value)
    except InvalidOperation:
        return None
    if not price.is_finite() or price < 0:
        return None
    scaled = price.scaleb(6)
    if scaled == scaled.to_integral_value():
        return scaled.quantize(Decimal(1))
    return scaled.normalize()


def _tier(override: OpenRouterPricingOverride) -> PriceTier | None:
    if override.min_prompt_tokens is None or (override.utc_start, override.utc_end) != (None, None):
        return None  # time-of-day prices cannot be expressed
    return PriceTier(
        above_input_tokens=int(override.min_prompt_tokens),
        input=per_million(override.prompt),
        output=per_million(override.completion),
        cache_read=per_million(override.input_cache_read),
        cache_write=per_million(override.input_cache_write),
    )


def _pricing(pricing: OpenRouterPricing | None) -> ModelPricing | None:
    if pricing is None:
        return None
    tiers = [t for t in map(_tier, pricing.overrides or []) if t is not None]
    result = ModelPricing(
        input=per_million(pricing.prompt),
        output=per_million(pricing.completion),
        cache_read=per_million(pricing.input_cache_read),
        cache_write=per_million(pricing.input_cache_write),
        tiers=sorted(tiers, key=lambda t: t.above_input_tokens),
    )
    return None if result == ModelPricing() else result


def _capabilities(model: OpenRouterModel) -> ModelCapabilities:
    params = set(model.supported_parameters or ())
    known = bool(params)  # an empty or missing list says nothing
    modalities = model.architecture.input_modalities if model.architecture else None
    return ModelCapabilities(
        tools="tools" in params if known else None,
        vision="image" in modalities if modalities is not None else None,
        json_schema="structured_outputs" in params if known else None,
        reasoning=bool(params & {"reasoning", "include_reasoning"}) if known else None,
        **_reasoning_controls(model.reasoning),
    )


def _reasoning_controls(reasoning: OpenRouterModelReasoning | None) -> dict[str, Any]:
    """The catalog's reasoning controls from ``Model.reasoning`` (absent: unknown).

    ``supported_efforts`` (strongest first; null: no allowlist, so unknown) become the levels
    weakest first, ``none`` aside; ``mandatory`` false means reasoning can be off; the modes are
    ``effort``, plus ``budget`` when ``supports_max_tokens`` is true.
    """
    if reasoning is None:
        return {}
    out: dict[str, Any] = {"reasoning_modes": ["effort"]}
    if reasoning.supports_max_tokens:
        out["reasoning_modes"] = ["budget", "effort"]
    if reasoning.supported_efforts is not None:
        given = set(reasoning.supported_efforts)
        out["reasoning_efforts"] = [e for e in REASONING_EFFORTS[1:] if e in given]
    if reasoning.mandatory is not None:
        out["reasoning_off"] = not reasoning.mandatory
    return out


def _model_info(model: OpenRouterModel, provider: str) -> ModelInfo:
    top = model.top_provider
    return ModelInfo(
        provider=provider,
        id=model.id,
        display_name=model.name,
        context_window=model.context_length or (top.context_length if top else None),
        max_output_tokens=top.max_completion_tokens if top else None,
        capabilities=_capabilities(model),
        pricing=_pricing(model.pricing),
        source="remote",
    )


_models = msgspec.json.Decoder(OpenRouterModelList)


def decode_openrouter_models_page(
    body: bytes, *, provider: str = "openrouter"
) -> tuple[list[ModelInfo], str | None]:
    """One ``GET /models`` page, sorted by id, and the ``links.next`` URL (None: last page)."""
    listing = parse_body(body, _models, provider=provider, what="model list")
    models = sorted(
        (_model_info(m, provider) for m in listing.data or [] if m.id), key=lambda m: m.id
    )
    return models, listing.links.next if listing.links else None


def decode_openrouter_models(body: bytes, *, provider: str = "openrouter") -> list[ModelInfo]:
    """``GET /models``: context lengths, output limits, prices and capabilities per model."""
    return decode_openrouter_models_page(body, provider=provider)[0]
