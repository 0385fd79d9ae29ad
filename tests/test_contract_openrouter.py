"""Golden contract fixtures for OpenRouter: canonical <-> native request, response, error, models.

Each directory under tests/fixtures/openrouter/ is one case (see tests/fixture_util.py). Every
native request is validated against the official `/chat/completions` request schema
(`ChatRequest`), every response against `ChatResult`, every JSON error body against the schema
the spec gives for its status (`BadRequestResponse`, `PaymentRequiredResponse`, ...), and model
lists against `ModelsListResponse`. UPDATE_FIXTURES=1 drafts missing expectations only.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from provider_runtime.core.types import (
    ModelInfo,
    ProviderRequest,
    ProviderResponse,
    ProviderRuntimeWarning,
)
from provider_runtime.providers.openrouter import (
    OPENROUTER_CAPABILITIES,
    decode_openrouter_error,
    decode_openrouter_models,
    decode_openrouter_response,
    encode_openrouter_request,
)
from provider_runtime.runtime.capabilities import prepare_request
from tests.fixture_util import (
    assert_error_case,
    assert_matches_or_update,
    case_id,
    fixture_cases,
    load_json,
)
from tests.openapi import load_spec, validate, validate_request

PROVIDER = "openrouter"
CASES = fixture_cases(PROVIDER)


def _requested_model(case: Path) -> str | None:
    if not (case / "canonical_request.json").exists():
        return None
    return str(load_json(case / "canonical_request.json")["model"]).partition("/")[2]


def _error_schema(status: int) -> str | None:
    """The schema the spec documents for this status of POST /chat/completions."""
    responses = load_spec(PROVIDER)["paths"]["/chat/completions"]["post"]["responses"]
    content = responses.get(str(status), {}).get("content", {}).get("application/json")
    if content is None:
        return None
    ref: str = content["schema"]["$ref"]
    return ref.rsplit("/", 1)[-1]


def test_enough_cases_of_each_kind() -> None:
    assert len(CASES) >= 15
    assert len(fixture_cases(PROVIDER, "native_request.json")) >= 10
    assert len(fixture_cases(PROVIDER, "native_response.json")) >= 8
    assert len(fixture_cases(PROVIDER, "error.json")) >= 10
    assert fixture_cases(PROVIDER, "models.json")


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "canonical_request.json"), ids=case_id)
def test_request_encodes_to_native(case: Path) -> None:
    request = msgspec.json.decode(
        (case / "canonical_request.json").read_bytes(), type=ProviderRequest
    )
    ref = request.model_ref()
    assert ref.provider == PROVIDER

    warnings: list[ProviderRuntimeWarning] = []
    context = load_json(case / "context.json") if (case / "context.json").exists() else {}
    if context.get("capability_pass"):
        # What the target accepts is decided by the runtime's one pass (catalog data).
        info = context.get("model_info")
        model_info = msgspec.convert(info, ModelInfo) if info is not None else None
        request, warnings = prepare_request(request, ref, model_info, OPENROUTER_CAPABILITIES)
    body, encoded = encode_openrouter_request(request, ref.id, provider=PROVIDER)
    warnings += encoded

    validate_request(PROVIDER, "/chat/completions", body)
    assert msgspec.json.decode(msgspec.json.encode(body)) == body  # plain JSON only
    assert_matches_or_update(case / "native_request.json", body)
    actual = msgspec.to_builtins(warnings)
    if actual or (case / "expected_warnings.json").exists():
        assert_matches_or_update(case / "expected_warnings.json", actual)


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "native_response.json"), ids=case_id)
def test_native_response_decodes_to_canonical(case: Path) -> None:
    raw = (case / "native_response.json").read_bytes()
    validate(PROVIDER, "ChatResult", json.loads(raw))

    response = decode_openrouter_response(
        raw, provider=PROVIDER, requested_model=_requested_model(case)
    )

    assert_matches_or_update(case / "canonical_response.json", msgspec.to_builtins(response))
    expected = msgspec.json.decode(
        (case / "canonical_response.json").read_bytes(), type=ProviderResponse
    )
    assert expected == response  # the expectation is itself a valid canonical response


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "error.json"), ids=case_id)
def test_native_error_maps_to_kind(case: Path) -> None:
    spec: dict[str, Any] = load_json(case / "error.json")
    body = spec["body"]
    if isinstance(body, dict):
        schema = _error_schema(spec["status"])
        assert schema is not None, f"the spec documents no JSON body for HTTP {spec['status']}"
        validate(PROVIDER, schema, body)
    assert_error_case(
        case,
        decode_openrouter_error,
        provider=PROVIDER,
        url="https://openrouter.ai/api/v1",
        max_message=600,
    )  # upstream bodies and HTML pages are quoted, not pasted


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "models.json"), ids=case_id)
def test_model_list_decodes(case: Path) -> None:
    raw = (case / "models.json").read_bytes()
    validate(PROVIDER, "ModelsListResponse", json.loads(raw))

    models = decode_openrouter_models(raw, provider=PROVIDER)

    assert_matches_or_update(case / "expected_models.json", msgspec.to_builtins(models))
