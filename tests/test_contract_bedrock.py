"""Golden contract fixtures for Bedrock Converse: canonical <-> native request, response, error.

Each directory under tests/fixtures/bedrock/ is one case (see tests/fixture_util.py). Every
native request is validated by botocore's own parameter validator against the service model's
``Converse`` input, every native response against ``ConverseResponse`` (tests/service_model.py).
"""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from provider_runtime.core.types import (
    ModelInfo,
    ProviderRequest,
    ProviderResponse,
    ProviderRuntimeWarning,
)
from provider_runtime.providers.bedrock import (
    BEDROCK_CAPABILITIES,
    decode_bedrock_error,
    decode_bedrock_response,
    encode_bedrock_request,
)
from provider_runtime.runtime.capabilities import prepare_request
from tests.fixture_util import (
    assert_error_case,
    assert_matches_or_update,
    case_id,
    fixture_cases,
    load_json,
)
from tests.service_model import validate_converse_request, validate_shape

PROVIDER = "bedrock"
CASES = fixture_cases(PROVIDER)
# The model a response-only case stands for (Converse names none in its answer).
RESPONSE_MODEL = "anthropic.claude-sonnet-4-5-20250929-v1:0"


def test_enough_cases_covering_each_kind() -> None:
    assert len(fixture_cases(PROVIDER, "native_request.json")) >= 10
    assert len(fixture_cases(PROVIDER, "native_response.json")) >= 10
    assert len(fixture_cases(PROVIDER, "error.json")) >= 12


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "canonical_request.json"), ids=case_id)
def test_request_encodes_to_native(case: Path) -> None:
    request = msgspec.json.decode(
        (case / "canonical_request.json").read_bytes(), type=ProviderRequest
    )
    context = load_json(case / "context.json") if (case / "context.json").exists() else {}
    model_info = None
    if "model_info" in context:
        model_info = msgspec.convert(context["model_info"], ModelInfo)
    ref = request.model_ref()
    assert ref.provider == PROVIDER
    # Every case goes through the runtime's one capability and handoff pass, as a call does.
    request, warnings = prepare_request(request, ref, model_info, BEDROCK_CAPABILITIES)
    body, encoded = encode_bedrock_request(
        request, ref.id, provider=PROVIDER, model_info=model_info
    )
    warnings = [*warnings, *encoded]

    validate_converse_request(ref.id, body)
    assert msgspec.json.decode(msgspec.json.encode(body)) == body  # plain JSON, nothing else
    assert_matches_or_update(case / "native_request.json", body)
    actual: list[ProviderRuntimeWarning] = warnings
    if actual or (case / "expected_warnings.json").exists():
        assert_matches_or_update(case / "expected_warnings.json", msgspec.to_builtins(actual))


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "native_response.json"), ids=case_id)
def test_native_response_decodes_to_canonical(case: Path) -> None:
    raw = (case / "native_response.json").read_bytes()
    validate_shape("ConverseResponse", json.loads(raw))
    model = RESPONSE_MODEL
    if (case / "canonical_request.json").exists():
        request = msgspec.json.decode(
            (case / "canonical_request.json").read_bytes(), type=ProviderRequest
        )
        model = request.model_ref().id

    response = decode_bedrock_response(
        raw, provider=PROVIDER, model=model, request_id="4f1a7e52-3c1b-4d8e-9a0f-2b6c5d7e8f90"
    )

    assert_matches_or_update(case / "canonical_response.json", msgspec.to_builtins(response))
    expected = msgspec.json.decode(
        (case / "canonical_response.json").read_bytes(), type=ProviderResponse
    )
    assert expected == response


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "error.json"), ids=case_id)
def test_native_error_maps_to_kind(case: Path) -> None:
    assert_error_case(
        case,
        decode_bedrock_error,
        provider=PROVIDER,
        url="https://bedrock-runtime.us-east-1.amazonaws.com",
        max_message=400,
    )
