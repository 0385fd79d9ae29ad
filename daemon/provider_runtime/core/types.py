"""Canonical, provider-agnostic types: their JSON encoding is the daemon's wire format.

Nothing here knows a provider's native shape, HTTP, or pricing math. ``protocol.md`` documents
every struct below; ``tests/test_protocol_doc.py`` keeps the two in agreement.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

import msgspec

__all__ = [
    "CACHE_TTL_ORDER",
    "REASONING_EFFORTS",
    "AdapterContext",
    "AssistantOutput",
    "CacheBreakpoint",
    "CacheRetention",
    "CacheSupport",
    "CacheTtl",
    "CanonicalStruct",
    "ContentPart",
    "CostBreakdown",
    "DiscoveryOptions",
    "FinishReason",
    "ImagePart",
    "JsonFormat",
    "JsonSchemaFormat",
    "ListedModel",
    "Message",
    "MessageRole",
    "ModelCapabilities",
    "ModelCatalog",
    "ModelInfo",
    "ModelPricing",
    "ModelRef",
    "NamedToolChoice",
    "PartSignature",
    "PriceTier",
    "PricingSource",
    "ProviderCapabilities",
    "ProviderId",
    "ProviderRequest",
    "ProviderResponse",
    "ProviderRuntimeWarning",
    "RateLimit",
    "RateLimitWindow",
    "ReasoningConfig",
    "ReasoningEffort",
    "ReasoningMode",
    "ReasoningPart",
    "ResponseFormat",
    "Secret",
    "SystemPlacement",
    "TextFormat",
    "TextPart",
    "TokenCount",
    "ToolCall",
    "ToolChoice",
    "ToolChoiceMode",
    "ToolDefinition",
    "ToolResult",
    "Usage",
    "parse_model_ref",
]


class CanonicalStruct(
    msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, omit_defaults=False
):
    """Base of every wire struct: immutable, keyword-only, strict about unknown fields."""


# --------------------------------------------------------------------------- identifiers


class ProviderId(StrEnum):
    """Built-in provider ids. Providers declared in the config may use any other id."""

    OPENAI = "openai"
    ANTHROPIC = "anthropic"
    OPENROUTER = "openrouter"
    BEDROCK = "bedrock"
    GOOGLE = "google"
    ECHO = "echo"


class ModelRef(CanonicalStruct, frozen=True):
    """A model, optionally pinned to a provider (``provider`` None: resolve via the catalog)."""

    id: Annotated[str, msgspec.Meta(min_length=1)]
    provider: str | None = None

    def __str__(self) -> str:
        return f"{self.provider}/{self.id}" if self.provider else self.id


def parse_model_ref(model: str | ModelRef) -> ModelRef:
    """``"provider/model"`` splits at the first ``/``; a bare id has no provider."""
    if isinstance(model, ModelRef):
        return model
    provider, sep, model_id = model.partition("/")
    if sep and provider and model_id:
        return ModelRef(provider=provider, id=model_id)
    return ModelRef(id=model)


# --------------------------------------------------------------------------- content parts


class MessageRole(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"
    TOOL = "tool"


class PartSignature(CanonicalStruct, frozen=True):
    """Opaque provider state attached to a text or tool-call part (a Gemini thought signature).

    ``value`` is only valid for the ``provider`` and ``model`` that produced it: handoff replays
    it to that model alone and drops it elsewhere (``handoff.reasoning_dropped``).
    """

    provider: str
    model: str
    value: str


class TextPart(CanonicalStruct, tag="text", tag_field="type", frozen=True, kw_only=True):
    text: str
    signature: PartSignature | None = None


class ImagePart(CanonicalStruct, tag="image", tag_field="type", frozen=True, kw_only=True):
    """An image given by ``url`` or by base64 ``data`` with its ``media_type``."""

    url: str | None = None
    data: str | None = None
    media_type: str | None = None

    def __post_init__(self) -> None:
        if (self.url is None) == (self.data is None):
            raise ValueError("an image part needs exactly one of `url` or `data`")
        if self.data is not None and not self.media_type:
            raise ValueError("an image part with `data` needs `media_type`")


class ToolCall(CanonicalStruct, tag="tool_call", tag_field="type", frozen=True, kw_only=True):
    """A call the assistant made. ``raw_arguments`` keeps arguments that were not valid JSON."""

    id: str
    name: str
    arguments: dict[str, Any] = {}
    raw_arguments: str | None = None
    signature: PartSignature | None = None


class ToolResult(CanonicalStruct, tag="tool_result", tag_field="type", frozen=True, kw_only=True):
    tool_call_id: str
    content: str | list[TextPart | ImagePart]
    is_error: bool = False


class ReasoningPart(CanonicalStruct, tag="reasoning", tag_field="type", frozen=True, kw_only=True):
    """Model reasoning. ``signature``/``data`` are opaque and only valid for the producing model.

    ``redacted`` reasoning carries no readable text; its encrypted payload is in ``data``.
    ``provider``/``model`` record who produced it so handoff can decide whether to replay it.
    """

    text: str = ""
    signature: str | None = None
    redacted: bool = False
    data: str | None = None
    provider: str | None = None
    model: str | None = None


CacheTtl = Literal["5m", "1h"]
CACHE_TTL_ORDER: tuple[CacheTtl, ...] = ("5m", "1h")  # shortest first


class CacheBreakpoint(
    CanonicalStruct, tag="cache_breakpoint", tag_field="type", frozen=True, kw_only=True
):
    """ "Cache the prompt up to here": everything before it, in prompt order (tools, system,
    messages), is worth keeping for ``ttl``. Adapters map it to the provider's own marker."""

    ttl: CacheTtl = "5m"


ContentPart = TextPart | ImagePart | ToolCall | ToolResult | ReasoningPart | CacheBreakpoint


class Message(CanonicalStruct, frozen=True):
    """One conversation turn. ``content`` may be a plain string (shorthand for one text part)."""

    role: MessageRole
    content: str | list[ContentPart]

    def parts(self) -> list[ContentPart]:
        if isinstance(self.content, str):
            return [TextPart(text=self.content)] if self.content else []
        return list(self.content)


# --------------------------------------------------------------------------- request


class ToolDefinition(CanonicalStruct, frozen=True):
    name: Annotated[str, msgspec.Meta(min_length=1)]
    description: str | None = None
    parameters: dict[str, Any] = msgspec.field(
        default_factory=lambda: {"type": "object", "properties": {}}
    )
    strict: bool | None = None


class ToolChoiceMode(StrEnum):
    AUTO = "auto"
    NONE = "none"
    REQUIRED = "required"


class NamedToolChoice(CanonicalStruct, tag="tool", tag_field="type", frozen=True, kw_only=True):
    name: str


ToolChoice = ToolChoiceMode | NamedToolChoice


class TextFormat(CanonicalStruct, tag="text", tag_field="type", frozen=True, kw_only=True):
    pass


class JsonFormat(CanonicalStruct, tag="json", tag_field="type", frozen=True, kw_only=True):
    pass


class JsonSchemaFormat(
    CanonicalStruct, tag="json_schema", tag_field="type", frozen=True, kw_only=True
):
    name: str
    schema: dict[str, Any]
    description: str | None = None
    strict: bool | None = None


ResponseFormat = TextFormat | JsonFormat | JsonSchemaFormat


CacheRetention = Literal["default", "extended", "none"]


ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
# The effort ladder, weakest first: "nearest effort" means nearest position on it.
REASONING_EFFORTS: tuple[ReasoningEffort, ...] = (
    "none",
    "minimal",
    "low",
    "medium",
    "high",
    "xhigh",
    "max",
)


class ReasoningConfig(CanonicalStruct, frozen=True):
    """Ask for model reasoning: an ``effort`` level, a token ``budget_tokens``, or both.

    ``effort`` is a rung of the ladder (``REASONING_EFFORTS``); ``none`` asks for no reasoning.
    The runtime applies the nearest level the target model accepts (protocol.md §1, §9).
    """

    effort: ReasoningEffort | None = None
    budget_tokens: Annotated[int, msgspec.Meta(ge=0)] | None = None


class ProviderRequest(CanonicalStruct, frozen=True):
    model: str | ModelRef
    messages: Annotated[list[Message], msgspec.Meta(min_length=1)]  # nothing to answer: -32602
    tools: list[ToolDefinition] = []
    tool_choice: ToolChoice | None = None
    response_format: ResponseFormat | None = None
    temperature: Annotated[float, msgspec.Meta(ge=0)] | None = None
    top_p: Annotated[float, msgspec.Meta(ge=0, le=1)] | None = None
    max_output_tokens: Annotated[int, msgspec.Meta(ge=1)] | None = None
    stop: list[str] = []
    reasoning: ReasoningConfig | None = None
    metadata: dict[str, str] = {}
    cache_key: str | None = None  # a routing hint for providers that route by prompt prefix
    cache_retention: CacheRetention = "default"

    def model_ref(self) -> ModelRef:
        return parse_model_ref(self.model)


# --------------------------------------------------------------------------- response


class FinishReason(StrEnum):
    STOP = "stop"
    LENGTH = "length"
    TOOL_CALLS = "tool_calls"
    CONTENT_FILTER = "content_filter"
    ERROR = "error"
    OTHER = "other"


TokenTally = Annotated[int, msgspec.Meta(ge=0)]  # a count decoded from a client: never negative


class Usage(CanonicalStruct, frozen=True):
    """Token counts with one meaning for every provider.

    ``input_tokens`` counts every prompt token processed, cached or not; ``cache_read_tokens``
    and ``cache_write_tokens`` are parts of it, and ``cache_write_1h_tokens`` the part of the
    writes made for a one-hour lifetime (priced higher). ``output_tokens`` counts every
    generated token; ``reasoning_tokens`` is the part of it spent on reasoning.
    """

    input_tokens: TokenTally = 0
    output_tokens: TokenTally = 0
    cache_read_tokens: TokenTally = 0
    cache_write_tokens: TokenTally = 0
    reasoning_tokens: TokenTally = 0
    total_tokens: TokenTally = 0
    cache_write_1h_tokens: TokenTally = 0

    @property
    def uncached_input_tokens(self) -> int:
        return max(0, self.input_tokens - self.cache_read_tokens - self.cache_write_tokens)


class PricingSource(StrEnum):
    PROVIDER_REPORTED = "provider_reported"
    USER_CONFIG = "user_config"
    CATALOG = "catalog"


class CostBreakdown(CanonicalStruct, frozen=True):
    """Cost in USD (decimal strings on the wire). ``partial`` when a needed price was missing."""

    total: Decimal
    source: PricingSource
    input: Decimal | None = None
    output: Decimal | None = None
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    currency: Literal["USD"] = "USD"
    snapshot: str | None = None
    partial: bool = False
    missing_components: list[str] = []


class ProviderRuntimeWarning(CanonicalStruct, frozen=True):
    """A structured, non-fatal notice (the plan's ``RuntimeWarning``; renamed: not the builtin)."""

    code: str
    message: str
    details: dict[str, Any] = {}


class AssistantOutput(CanonicalStruct, frozen=True):
    content: list[ContentPart] = []

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.content if isinstance(p, TextPart))

    @property
    def tool_calls(self) -> list[ToolCall]:
        return [p for p in self.content if isinstance(p, ToolCall)]


class RateLimitWindow(CanonicalStruct, frozen=True):
    """One limit as the provider's headers stated it; a value it did not state (or stated in a
    form that could not be read) is None. ``reset_seconds``: until the window is full again."""

    limit: int | None = None
    remaining: int | None = None
    reset_seconds: float | None = None


class RateLimit(CanonicalStruct, frozen=True):
    """The rate-limit snapshot of one answer (protocol.md §6 maps each provider's headers);
    a part is None when the provider sent nothing usable for it."""

    requests: RateLimitWindow | None = None
    tokens: RateLimitWindow | None = None
    input_tokens: RateLimitWindow | None = None
    output_tokens: RateLimitWindow | None = None


class ProviderResponse(CanonicalStruct, frozen=True):
    provider: str
    model: str
    output: AssistantOutput
    finish_reason: FinishReason
    finish_reason_raw: str | None = None
    usage: Usage = Usage()
    cost: CostBreakdown | None = None
    warnings: list[ProviderRuntimeWarning] = []
    request_id: str | None = None
    rate_limit: RateLimit | None = None


class TokenCount(CanonicalStruct, frozen=True):
    """The answer of ``runtime/countTokens``: the prompt's size for one model, before sending.

    ``source`` says who counted: ``provider`` (its counting endpoint) or ``estimate`` (the
    runtime's rule, protocol.md §8.5). ``exact`` is true only when the counter promises the
    number the model will receive. ``fits`` compares with the catalog's context window less
    the output tokens the request reserves; None when either is unknown.
    """

    input_tokens: int
    exact: bool
    source: Literal["provider", "estimate"]
    provider: str
    model: str
    context_window: int | None = None
    fits: bool | None = None
    warnings: list[ProviderRuntimeWarning] = []


# --------------------------------------------------------------------------- catalog


# How a model takes reasoning: a token budget, an effort level, or adaptive thinking (the model
# decides how much to think, guided by an effort level).
ReasoningMode = Literal["budget", "effort", "adaptive"]


class ModelCapabilities(CanonicalStruct, frozen=True):
    """Per-model abilities; ``None`` means unknown (merging fills unknowns from other sources).

    ``reasoning_efforts``: the effort levels the model accepts, weakest first (``[]``: it takes
    none); ``none`` is never listed, ``reasoning_off`` says whether reasoning can be turned off.
    ``temperature_with_top_p``: whether the model takes ``temperature`` and ``top_p`` in one
    request (Claude 4 and later refuse the pair).
    """

    tools: bool | None = None
    vision: bool | None = None
    json_schema: bool | None = None
    reasoning: bool | None = None
    reasoning_efforts: list[ReasoningEffort] | None = None
    reasoning_modes: list[ReasoningMode] | None = None
    reasoning_off: bool | None = None
    temperature_with_top_p: bool | None = None

    def __post_init__(self) -> None:
        efforts = self.reasoning_efforts
        if efforts is not None:
            if "none" in efforts:
                raise ValueError(
                    "`reasoning_efforts` does not list `none`: set `reasoning_off = true` to say "
                    "the model can answer without reasoning"
                )
            positions = [REASONING_EFFORTS.index(e) for e in efforts]
            if positions != sorted(set(positions)):
                raise ValueError(
                    "`reasoning_efforts` lists each level once, weakest first "
                    f"(in the order {', '.join(REASONING_EFFORTS[1:])})"
                )
        modes = self.reasoning_modes
        if modes is not None and len(set(modes)) != len(modes):
            raise ValueError("`reasoning_modes` lists each mode once")


class PriceTier(CanonicalStruct, frozen=True):
    """Prices (USD per million tokens) that apply once the prompt exceeds ``above_input_tokens``."""

    above_input_tokens: int
    input: Decimal | None = None
    output: Decimal | None = None
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    cache_write_1h: Decimal | None = None


class ModelPricing(CanonicalStruct, frozen=True):
    """USD per million tokens for each usage component; ``None`` means not known.

    ``cache_write`` prices cache writes of the default lifetime, ``cache_write_1h`` those made
    for one hour (Anthropic bills them at a higher rate).
    """

    input: Decimal | None = None
    output: Decimal | None = None
    cache_read: Decimal | None = None
    cache_write: Decimal | None = None
    cache_write_1h: Decimal | None = None
    tiers: list[PriceTier] = []


class ModelInfo(CanonicalStruct, frozen=True):
    provider: str
    id: str
    display_name: str | None = None
    context_window: int | None = None
    max_output_tokens: int | None = None
    capabilities: ModelCapabilities = ModelCapabilities()
    pricing: ModelPricing | None = None
    source: Literal["static", "remote", "config"] = "static"


class ListedModel(ModelInfo, frozen=True):
    """A ``runtime/models`` entry: the catalog's ``ModelInfo`` and the API a call to the model
    uses, for a provider that has more than one (the OpenAI-style ones: ``chat`` or ``responses``,
    decided as the call decides it); null for a provider with one API."""

    api: str | None = None


class ModelCatalog(CanonicalStruct, frozen=True):
    models: list[ModelInfo] = []
    snapshot: str | None = None


class DiscoveryOptions(CanonicalStruct, frozen=True):
    """``remote``: also ask the providers' model endpoints. ``providers``: restrict to these."""

    remote: bool = False
    providers: list[str] | None = None


# --------------------------------------------------------------------------- adapters


class SystemPlacement(StrEnum):
    INLINE = "inline"  # system messages stay in the message list
    TOP_LEVEL = "top_level"  # one system prompt outside the messages (Anthropic)


class CacheSupport(CanonicalStruct, frozen=True):
    """The prompt-cache controls a target honours, for the models whose id matches ``models``.

    ``breakpoints``: how many ``cache_breakpoint`` parts one request may carry (0: none; null:
    no limit). ``ttls``: the lifetimes offered for them. ``cache_key``: ``cache_key`` is passed
    on. ``retention``: the ``cache_retention`` values besides ``default`` that are honoured.
    ``longer_ttl_first``: a longer-lived breakpoint may not follow a shorter-lived one.
    ``implicit``: the provider caches repeated prompt prefixes by itself, so a breakpoint is
    honoured without being sent (the capability pass removes it without a warning; it has no
    marker to become, so ``breakpoints`` is 0). ``models``: a regular expression searched in the
    model id (null: every model).
    """

    models: str | None = None
    breakpoints: int | None = 0
    ttls: tuple[CacheTtl, ...] = ()
    cache_key: bool = False
    retention: tuple[Literal["extended", "none"], ...] = ()
    longer_ttl_first: bool = False
    implicit: bool = False

    def __post_init__(self) -> None:
        if self.implicit and self.breakpoints != 0:
            raise ValueError(
                "an `implicit` cache takes no breakpoints of its own: set `breakpoints` to 0"
            )


class ProviderCapabilities(CanonicalStruct, frozen=True):
    """What a provider's API can express; handoff and the runtime adapt requests to it."""

    tools: bool = True
    vision: bool = True
    json_mode: bool = True
    json_schema: bool = True
    reasoning: bool = False
    reasoning_replay: bool = False
    system_placement: SystemPlacement = SystemPlacement.INLINE
    requires_alternation: bool = False
    tool_call_id_pattern: str | None = None
    tool_call_id_max_length: int | None = None
    remote_discovery: bool = True
    # With ``reasoning``: the model ids (a regular expression matched from the start) that take
    # reasoning settings; None: every model (Mistral: only mistral-small-* is adjustable).
    reasoning_models: str | None = None
    cache: tuple[CacheSupport, ...] = ()  # the first entry matching the model id applies

    def cache_support(self, model: str) -> CacheSupport:
        """The cache controls ``model`` honours (none when no entry matches it)."""
        for support in self.cache:
            if support.models is None or re.search(support.models, model):
                return support
        return CacheSupport()


class Secret:
    """A credential that never shows itself in ``repr``/``str``; call ``reveal()`` to use it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class AdapterContext(msgspec.Struct, frozen=True, kw_only=True):
    """Per-call inputs the runtime hands an adapter: the resolved model and the credential."""

    model: ModelRef
    model_info: ModelInfo | None = None
    credential: Secret | None = None
    timeout: float | None = None
