"""The Responses API as a ``ProviderDeclaration``: ``POST {base_url}/responses``, stateless.

https://platform.openai.com/docs/api-reference/responses/create; errors share Chat
Completions' body and table (https://platform.openai.com/docs/guides/error-codes).
"""

from __future__ import annotations

from ....core.types import ProviderCapabilities, ProviderResponse, ProviderRuntimeWarning
from ...http import BEARER, Auth, Call, ErrorDecoder, ModelListing, ProviderDeclaration
from ..errors import decode_openai_error
from .decode import decode_responses_response
from .encode import encode_responses_request
from .wire import ResponsesBody

__all__ = ["RESPONSES_PATH", "responses_declaration"]

RESPONSES_PATH = "/responses"


def _encode(call: Call) -> tuple[ResponsesBody, list[ProviderRuntimeWarning]]:
    return encode_responses_request(
        call.request, call.model, provider=call.provider, info=call.model_info
    )


def _decode(body: bytes, call: Call, request_id: str | None) -> ProviderResponse:
    return decode_responses_response(
        body, provider=call.provider, request_id=request_id, requested_model=call.model
    )


def responses_declaration(
    capabilities: ProviderCapabilities,
    *,
    models: ModelListing | None = None,
    auth: Auth = BEARER,
    path: str = RESPONSES_PATH,
    classify_error: ErrorDecoder = decode_openai_error,
) -> ProviderDeclaration:
    """Responses on an endpoint with these capabilities (reasoning replay on)."""
    return ProviderDeclaration(
        chat_path=path,
        auth=auth,
        capabilities=capabilities,
        encode=_encode,
        decode=_decode,
        classify_error=classify_error,
        models=models,
    )
