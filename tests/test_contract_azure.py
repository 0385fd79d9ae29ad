"""Golden contract fixtures for Azure OpenAI (tests/fixtures/azure/, see tests/fixture_util.py).

A case's ``context.json`` may set ``api_version`` (the deployment-path form), ``api``, or
``capability_pass`` (the runtime's capability pass runs first, as for a call). Requests
go through the adapter's own declaration (the path it picks is in ``expected_path.json``) and
are validated against OpenAI's official `/chat/completions` or `/responses` request schema:
Azure's v1 API takes OpenAI's bodies. Answers carry Azure's content-filter results, which
OpenAI's spec does not list, so they are not held to it. UPDATE_FIXTURES=1 drafts missing
expectations only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest

from provider_runtime.core.types import (
    AdapterContext,
    ProviderRequest,
    ProviderResponse,
    ProviderRuntimeWarning,
)
from provider_runtime.providers.azure import AzureOpenAIAdapter
from provider_runtime.providers.http import Call
from provider_runtime.providers.openai import decode_openai_error
from provider_runtime.runtime.capabilities import prepare_request
from provider_runtime.transport.http import HttpTransport
from tests.fixture_util import (
    assert_error_case,
    assert_matches_or_update,
    case_id,
    fixture_cases,
    load_json,
)
from tests.openapi import validate_request

RESOURCE = "https://contoso.openai.azure.com"


def _context(case: Path) -> dict[str, Any]:
    return load_json(case / "context.json") if (case / "context.json").exists() else {}


def _adapter(case: Path) -> AzureOpenAIAdapter:
    context = _context(case)
    return AzureOpenAIAdapter(
        HttpTransport(),
        base_url=RESOURCE,
        api=context.get("api", "chat"),
        api_version=context.get("api_version"),
    )


def _request(case: Path) -> ProviderRequest:
    return msgspec.json.decode((case / "canonical_request.json").read_bytes(), type=ProviderRequest)


def test_enough_cases_of_each_kind() -> None:
    assert len(fixture_cases("azure", "canonical_request.json")) >= 2
    assert len(fixture_cases("azure", "native_response.json")) >= 2
    assert fixture_cases("azure", "error.json")


@pytest.mark.parametrize("case", fixture_cases("azure", "canonical_request.json"), ids=case_id)
def test_request_encodes_to_native(case: Path) -> None:
    request = _request(case)
    ref = request.model_ref()
    assert ref.provider == "azure"
    adapter = _adapter(case)
    warnings: list[ProviderRuntimeWarning] = []
    if _context(case).get("capability_pass"):
        # What the deployment honours (cache intent included) is the runtime's one pass.
        request, warnings = prepare_request(request, ref, None, adapter.capabilities)
    declared = adapter.declaration_for(AdapterContext(model=ref))
    body, encoded = declared.encode(Call(provider="azure", model=ref.id, request=request))
    warnings += encoded
    api = _context(case).get("api", "chat")
    validate_request("openai", "/responses" if api == "responses" else "/chat/completions", body)
    assert body["model"] == ref.id  # the deployment name
    assert_matches_or_update(case / "native_request.json", body)
    assert_matches_or_update(case / "expected_path.json", {"path": declared.chat_path})
    actual = msgspec.to_builtins(warnings)
    if actual or (case / "expected_warnings.json").exists():
        assert_matches_or_update(case / "expected_warnings.json", actual)


@pytest.mark.parametrize("case", fixture_cases("azure", "native_response.json"), ids=case_id)
def test_native_response_decodes_to_canonical(case: Path) -> None:
    raw = (case / "native_response.json").read_bytes()
    declared = _adapter(case).declaration_for(AdapterContext(model=_model(case)))
    call = Call(provider="azure", model=_model(case).id, request=_placeholder())
    response = declared.decode(raw, call, None)
    assert_matches_or_update(case / "canonical_response.json", msgspec.to_builtins(response))
    expected = msgspec.json.decode(
        (case / "canonical_response.json").read_bytes(), type=ProviderResponse
    )
    assert expected == response


@pytest.mark.parametrize("case", fixture_cases("azure", "error.json"), ids=case_id)
def test_native_error_maps_to_kind(case: Path) -> None:
    assert_error_case(case, decode_openai_error, provider="azure", url=RESOURCE, max_message=400)


def _model(case: Path) -> Any:
    if (case / "canonical_request.json").exists():
        return _request(case).model_ref()
    from provider_runtime.core.types import ModelRef

    return ModelRef(provider="azure", id="gpt4o-prod")


def _placeholder() -> ProviderRequest:
    return msgspec.convert(
        {"model": "azure/gpt4o-prod", "messages": [{"role": "user", "content": "-"}]},
        ProviderRequest,
    )
