"""Built-in providers as data: the native ones (Azure too) and the OpenAI-compatible presets.

Each preset's base URL, key variable and quirks follow its own documentation (cited per entry;
protocol.md §6 "OpenAI-compatible servers" and §7 list them). A preset is *active* (registered)
only when the config names it or, for a hosted one, when its key variable is set (§7).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from ..providers.openai.quirks import OpenAICompatQuirks

__all__ = ["COMPATIBLE_PRESETS", "NATIVE_PROVIDERS", "BuiltinProvider"]


class BuiltinProvider(NamedTuple):
    """Defaults of a built-in provider, following its official SDK.

    ``type`` None means the provider's id is its type (a native provider). An OpenAI-compatible
    service with a name is a preset: ``type="openai_compatible"`` and its ``quirks`` (with
    ``requires_api_key`` for a hosted one) — one entry of data, no code. ``key_env_fallback``
    is read when ``key_env`` is unset (Google's SDK: ``GEMINI_API_KEY``, else ``GOOGLE_API_KEY``).
    """

    key_env: str | None
    base_url_env: str | None
    base_url: str | None
    type: str | None = None
    quirks: OpenAICompatQuirks | None = None
    key_env_fallback: str | None = None
    optional: bool = False  # off unless the config names it or ``switch_env`` is set
    switch_env: str | None = None  # None: on only when named (a local server)

    @property
    def is_local(self) -> bool:
        """A server on this machine: no key, active only when the config names it."""
        return self.optional and self.switch_env is None


NATIVE_PROVIDERS: Mapping[str, BuiltinProvider] = {
    "openai": BuiltinProvider("OPENAI_API_KEY", "OPENAI_BASE_URL", "https://api.openai.com/v1"),
    "anthropic": BuiltinProvider(
        "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "https://api.anthropic.com"
    ),
    "openrouter": BuiltinProvider(
        "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1"
    ),
    # No fixed base URL: https://bedrock-runtime.{region}.amazonaws.com, from `region` (or
    # AWS_REGION, AWS_DEFAULT_REGION); AWS's own service-specific endpoint variable overrides it.
    "bedrock": BuiltinProvider(
        "AWS_BEARER_TOKEN_BEDROCK", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", None
    ),
    "google": BuiltinProvider(
        "GEMINI_API_KEY",
        None,  # the SDK's GOOGLE_GEMINI_BASE_URL has no version segment: not read
        "https://generativelanguage.googleapis.com/v1beta",
        key_env_fallback="GOOGLE_API_KEY",
    ),
    "echo": BuiltinProvider(None, None, None),
    # The openai SDK's AzureOpenAI client reads these two; the endpoint is the resource's
    # (https://{resource}.openai.azure.com). On when the endpoint is known (§7).
    "azure": BuiltinProvider(
        "AZURE_OPENAI_API_KEY",
        "AZURE_OPENAI_ENDPOINT",
        None,
        optional=True,
        switch_env="AZURE_OPENAI_ENDPOINT",
    ),
}


def _hosted(key_env: str, base_url: str, **quirks: object) -> BuiltinProvider:
    return BuiltinProvider(
        key_env,
        None,
        base_url,
        type="openai_compatible",
        quirks=OpenAICompatQuirks(requires_api_key=True, **quirks),  # type: ignore[arg-type]
        optional=True,
        switch_env=key_env,
    )


def _local(base_url: str, **quirks: object) -> BuiltinProvider:
    return BuiltinProvider(
        None,
        None,
        base_url,
        type="openai_compatible",
        quirks=OpenAICompatQuirks(**quirks),  # type: ignore[arg-type]
        optional=True,
    )


COMPATIBLE_PRESETS: Mapping[str, BuiltinProvider] = {
    # https://docs.mistral.ai/resources/migration-guides (base URL; MISTRAL_API_KEY is the
    # mistralai SDK's variable). Tool-call ids: exactly 9 letters or digits (its 422: "must be
    # a-z, A-Z, 0-9, with a length of 9"). Reasoning (docs.mistral.ai, "Mistral reasoning"):
    # adjustable by `reasoning_effort` on mistral-small-*; Magistral reasons by itself and the
    # API refuses fields a model does not define.
    "mistral": _hosted(
        "MISTRAL_API_KEY",
        "https://api.mistral.ai/v1",
        tool_call_id_pattern="^[A-Za-z0-9]{9}$",
        tool_call_id_max_length=9,
        reasoning_model_pattern="mistral-small",
    ),
    # https://docs.x.ai/docs/guides/reasoning: Grok reasoning models (the whole current lineup)
    # reject `stop` (and presence/frequency penalties); `reasoning_effort` is taken by the
    # models that document it (grok-3-mini, grok-4.3 and later) and refused by the others
    # (grok-4, grok-4-1-fast-*, grok-4.20-*: "Model does not support parameter reasoningEffort").
    "xai": _hosted(
        "XAI_API_KEY",
        "https://api.x.ai/v1",
        supports_stop=False,
        reasoning_model_pattern=r"grok-3-mini|grok-4\.[3-9]",
    ),
    # https://api-docs.deepseek.com/guides/thinking_mode: thinking mode answers with
    # `reasoning_content`; between two user messages where the model called a tool, that
    # reasoning must go back in every later request, elsewhere it is not needed (and ignored).
    # JSON output is `json_object` only (guides/json_mode); no image input; no
    # `reasoning_effort` on deepseek-reasoner.
    "deepseek": _hosted(
        "DEEPSEEK_API_KEY",
        "https://api.deepseek.com",
        supports_vision=False,
        supports_json_schema=False,
        supports_reasoning=False,
        reasoning_content_replay="tool_turns",
    ),
    # https://console.groq.com/docs/openai: logprobs, logit_bias, top_logprobs,
    # messages[].name and n != 1 are 400s; none of them is sent by the runtime.
    "groq": _hosted("GROQ_API_KEY", "https://api.groq.com/openai/v1"),
    # https://inference-docs.cerebras.ai/resources/openai: frequency_penalty, logit_bias,
    # presence_penalty, parallel_tool_calls and service_tier are 400s (never sent); text only.
    "cerebras": _hosted("CEREBRAS_API_KEY", "https://api.cerebras.ai/v1", supports_vision=False),
    # https://docs.together.ai/docs/inference/openai-compatibility: a drop-in base URL.
    "together": _hosted("TOGETHER_API_KEY", "https://api.together.xyz/v1"),
    # https://readme.fireworks.ai/docs/openai-compatibility: model ids are resource names
    # (`fireworks/accounts/fireworks/models/...` here).
    "fireworks": _hosted("FIREWORKS_API_KEY", "https://api.fireworks.ai/inference/v1"),
    # https://docs.ollama.com/api/openai-compatibility: the key is "required but ignored";
    # images, tools, response_format, stop and reasoning_effort are supported request fields.
    "ollama": _local("http://localhost:11434/v1"),
    # https://lmstudio.ai/docs/api/openai-api: the local server on port 1234, no key.
    "lmstudio": _local("http://localhost:1234/v1"),
}
