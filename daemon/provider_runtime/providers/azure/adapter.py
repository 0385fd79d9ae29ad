"""``AzureOpenAIAdapter``: OpenAI's Chat Completions and Responses on an Azure OpenAI resource.

The v1 API (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/api-version-lifecycle):
``POST {resource}/openai/v1/chat/completions`` or ``/openai/v1/responses``, no ``api-version``,
the deployment name as ``model``. With ``api_version`` set, the older deployment path
``/openai/deployments/{deployment}/chat/completions?api-version=...`` instead. The key goes in
the ``api-key`` header, or a Microsoft Entra ID token as ``Authorization: Bearer`` (``auth``).
Translation is OpenAI's; Azure adds only its content-filter verdicts (``decode.py``). Rate
limits come in OpenAI's ``x-ratelimit-*`` headers
(https://learn.microsoft.com/en-us/azure/ai-services/openai/how-to/quota); Azure documents no
token-counting endpoint, so ``runtime/countTokens`` estimates. Prompt caching: ``cache.py``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Literal, Unpack
from urllib.parse import quote

import msgspec

from ...core.types import AdapterContext, ProviderResponse
from ...transport.http import HttpTransport
from ..http import API_KEY, BEARER, Call, EndpointOptions, HttpAdapter, ProviderDeclaration
from ..openai.adapter import openai_declaration
from ..openai.dialect import OpenAIDialect
from ..openai.responses.adapter import responses_declaration
from ..ratelimit import parse_openai_rate_limit
from .cache import azure_cache
from .decode import decode_azure_chat, decode_azure_responses

__all__ = ["AzureOpenAIAdapter", "azure_paths", "resource_root"]

AzureAuth = Literal["api-key", "bearer"]
AzureApi = Literal["chat", "responses"]


def resource_root(base_url: str) -> str:
    """The resource endpoint (``https://{resource}.openai.azure.com``) from a base URL given
    with or without the ``/openai`` or ``/openai/v1`` suffix."""
    root = base_url.rstrip("/")
    for suffix in ("/openai/v1", "/openai"):
        if root.endswith(suffix):
            return root[: -len(suffix)]
    return root


def azure_paths(api: AzureApi, deployment: str, api_version: str | None) -> str:
    """The path one call goes to (pure; the deployment is quoted as one path segment)."""
    if api_version is None:
        return "/openai/v1/responses" if api == "responses" else "/openai/v1/chat/completions"
    version = quote(api_version, safe="")
    if api == "responses":  # the preview Responses API names the deployment in the body
        return f"/openai/responses?api-version={version}"
    return (
        f"/openai/deployments/{quote(deployment, safe='')}/chat/completions?api-version={version}"
    )


def _decode(body: bytes, call: Call, request_id: str | None) -> ProviderResponse:
    return decode_azure_chat(
        body, provider=call.provider, request_id=request_id, requested_model=call.model
    )


def _decode_responses(body: bytes, call: Call, request_id: str | None) -> ProviderResponse:
    return decode_azure_responses(
        body, provider=call.provider, request_id=request_id, requested_model=call.model
    )


def _advise(provider: str, base_url: str) -> str:
    return (
        f"the base_url of `{provider}` must be the resource endpoint, "
        "https://{resource}.openai.azure.com (the path is added), and the model the deployment name"
    )


class AzureOpenAIAdapter(HttpAdapter):
    """Azure OpenAI. ``api``: Chat Completions or Responses for every deployment (deployment
    names say nothing about the model, so there is no ``auto``). No model listing: Azure's
    ``/models`` lists base models, not the deployments a call names."""

    def __init__(
        self,
        transport: HttpTransport,
        *,
        provider_id: str = "azure",
        base_url: str,
        auth: AzureAuth = "api-key",
        api: AzureApi = "chat",
        api_version: str | None = None,
        **options: Unpack[EndpointOptions],
    ) -> None:
        self.api: AzureApi = api
        self.api_version = api_version
        dialect = OpenAIDialect(
            provider=provider_id, cache=azure_cache(api_version), cache_marker="none"
        )
        chat = openai_declaration(dialect)
        capabilities = msgspec.structs.replace(
            chat.capabilities, remote_discovery=False, reasoning_replay=api == "responses"
        )
        credential = BEARER if auth == "bearer" else API_KEY
        chat = replace(
            chat,
            auth=credential,
            capabilities=capabilities,
            decode=_decode,
            models=None,
            counting=None,  # no documented counting endpoint: the runtime estimates
            advise=_advise,
        )
        if api == "responses":
            chat = replace(
                responses_declaration(capabilities, auth=credential),
                decode=_decode_responses,
                rate_limit=parse_openai_rate_limit,
                advise=_advise,
            )
        super().__init__(
            chat, transport, provider_id=provider_id, base_url=resource_root(base_url), **options
        )

    def api_for(self, context: AdapterContext) -> AzureApi:
        """The API every call uses (``ApiChooser``; ``runtime/models`` shows it)."""
        return self.api

    def declaration_for(self, context: AdapterContext) -> ProviderDeclaration:
        declared = super().declaration_for(context)
        path = azure_paths(self.api_for(context), context.model.id, self.api_version)
        return replace(declared, chat_path=path)
