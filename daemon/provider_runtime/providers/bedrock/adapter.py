"""``BedrockAdapter``: the Bedrock Runtime Converse API declared on the generic ``HttpAdapter``.

POST {base_url}/model/{modelId}/converse
(https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html) and, to count
a prompt, POST {base_url}/model/{modelId}/count-tokens (API_runtime_CountTokens), the model id
URL-encoded (ids hold `:`, inference-profile ARNs `/`). Authenticated with a Bedrock API key as a
bearer token when one is configured, else with SigV4 from the AWS credential chain
(https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-use.html).
"""

from __future__ import annotations

from typing import Any, Unpack
from urllib.parse import quote

from ...core.errors import ConfigError
from ...core.types import (
    AdapterContext,
    CacheSupport,
    ProviderCapabilities,
    ProviderRequest,
    ProviderResponse,
    ProviderRuntimeWarning,
    SystemPlacement,
)
from ...transport.http import HttpTransport
from ..http import (
    Auth,
    Call,
    EndpointOptions,
    HttpAdapter,
    ProviderDeclaration,
    TokenCounting,
    count_decoder,
)
from .decode import decode_bedrock_error, decode_bedrock_response
from .encode import encode_bedrock_request
from .sigv4 import SigV4Signer
from .wire import BedrockConverseRequest

__all__ = [
    "BEDROCK_CAPABILITIES",
    "BedrockAdapter",
    "bedrock_declaration",
    "default_base_url",
    "model_path",
]

BEDROCK_CAPABILITIES = ProviderCapabilities(
    tools=True,
    vision=True,
    json_mode=False,
    json_schema=True,  # outputConfig.textFormat (json_schema), where the model offers it
    reasoning=True,
    reasoning_replay=True,
    system_placement=SystemPlacement.TOP_LEVEL,
    requires_alternation=True,  # the first message from the user, then strictly alternating
    tool_call_id_pattern="^[a-zA-Z0-9_.:-]+$",  # the service model's ToolUseId
    tool_call_id_max_length=64,
    remote_discovery=False,  # listing models is the control plane's (another service)
    # https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html: cache
    # checkpoints for Claude (Anthropic's rules: 4, 5m or 1h, longer first) and Amazon Nova.
    cache=(
        CacheSupport(
            models=r"anthropic\.claude",
            breakpoints=4,
            ttls=("5m", "1h"),
            retention=("none",),
            longer_ttl_first=True,
        ),
        CacheSupport(models=r"amazon\.nova", breakpoints=4, ttls=("5m",), retention=("none",)),
    ),
)


def default_base_url(region: str) -> str:
    return f"https://bedrock-runtime.{region}.amazonaws.com"


def model_path(model: str, operation: str = "converse") -> str:
    """``/model/{modelId}/{operation}``, the id encoded whole (``:`` and ``/`` included)."""
    return f"/model/{quote(model, safe='')}/{operation}"


def _encode(call: Call) -> tuple[BedrockConverseRequest, list[ProviderRuntimeWarning]]:
    return encode_bedrock_request(
        call.request, call.model, provider=call.provider, model_info=call.model_info
    )


# The Converse body's fields that CountTokens' ConverseTokensRequest takes; inferenceConfig,
# guardrails and the rest do not change the prompt.
_COUNT_FIELDS = frozenset({"messages", "system", "toolConfig", "additionalModelRequestFields"})


def _encode_count(call: Call) -> tuple[dict[str, Any], list[ProviderRuntimeWarning]]:
    body, warnings = _encode(call)
    converse = {key: value for key, value in body.items() if key in _COUNT_FIELDS}
    return {"input": {"converse": converse}}, warnings


# ``CountTokensResponse.inputTokens``
decode_count_tokens = count_decoder("inputTokens")


def _decode(body: bytes, call: Call, request_id: str | None) -> ProviderResponse:
    return decode_bedrock_response(
        body, provider=call.provider, model=call.model, request_id=request_id
    )


def bedrock_declaration(signer: SigV4Signer | None) -> ProviderDeclaration:
    """Bearer with a key; without one, ``signer`` (None: no region, so no SigV4)."""
    return ProviderDeclaration(
        chat_path=lambda call: model_path(call.model),
        auth=Auth("Authorization", "Bearer ", signer=signer),
        capabilities=BEDROCK_CAPABILITIES,
        encode=_encode,
        decode=_decode,
        classify_error=decode_bedrock_error,
        advise=_advise_base_url,
        # "will match the token count that would be charged" (CountTokens' documentation).
        counting=TokenCounting(
            path=lambda call: model_path(call.model, "count-tokens"),
            encode=_encode_count,
            decode=decode_count_tokens,
            exact=True,
        ),
    )


def _advise_base_url(provider: str, base_url: str) -> str:
    return (
        f"check `providers.{provider}.base_url` (now `{base_url}`): Bedrock's is "
        "`https://bedrock-runtime.REGION.amazonaws.com`, with no path; or leave it unset and "
        f"set `providers.{provider}.region`"
    )


class BedrockAdapter(HttpAdapter):
    """Bedrock Runtime Converse adapter.

    ``region`` gives the default base URL and the SigV4 signing region; ``profile`` the AWS
    profile whose credentials sign (when no API key is configured). ``credentials`` replaces
    botocore's credential chain (tests).
    """

    def __init__(
        self,
        transport: HttpTransport,
        *,
        provider_id: str = "bedrock",
        base_url: str | None = None,
        region: str | None = None,
        profile: str | None = None,
        credentials: Any = None,
        **options: Unpack[EndpointOptions],
    ) -> None:
        # Without a region or base URL the adapter still exists (listings build every adapter);
        # each call is refused with what to set.
        self._unplaced: ConfigError | None = None
        if base_url is None and region is None:
            self._unplaced = ConfigError(
                f"provider `{provider_id}` needs an AWS region: set "
                f"providers.{provider_id}.region or AWS_REGION (or a base_url)",
                key=f"providers.{provider_id}.region",
            )
        if base_url is None:
            base_url = default_base_url(region or "{region}")
        signer = None
        if region is not None:
            signer = SigV4Signer(
                provider=provider_id, region=region, profile=profile, credentials=credentials
            )
        super().__init__(
            bedrock_declaration(signer),
            transport,
            provider_id=provider_id,
            base_url=base_url,
            **options,
        )

    async def run(self, request: ProviderRequest, context: AdapterContext) -> ProviderResponse:
        if self._unplaced is not None:
            raise self._unplaced
        return await super().run(request, context)
