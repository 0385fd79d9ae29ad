"""Golden contract fixtures for Google Gemini: canonical <-> native request, response and error.

Each directory under tests/fixtures/google/ is one case (see tests/fixture_util.py). Every native
request is validated against the spec copy's ``GenerateContentRequest``, and because the spec
describes the ``Part`` union only in prose, each part is also checked to carry exactly one data
field. Every native response is validated against ``GenerateContentResponse``, every JSON error
body's ``error`` against ``Status``.
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
from provider_runtime.providers.google import (
    GOOGLE_CAPABILITIES,
    decode_gemini_error,
    decode_gemini_response,
    encode_gemini_request,
)
from provider_runtime.runtime.capabilities import prepare_request
from tests.fixture_util import (
    assert_error_case,
    assert_matches_or_update,
    case_id,
    fixture_cases,
    load_json,
)
from tests.openapi import validate, validate_request

PROVIDER = "google"
SPEC = "gemini"
CHAT_PATH = "/v1beta/models/{model}:generateContent"
CASES = fixture_cases(PROVIDER)
# Part: "exactly one of" these (https://ai.google.dev/api/caching#Part, the `data` union).
PART_DATA_FIELDS = (
    "text",
    "inlineData",
    "functionCall",
    "functionResponse",
    "fileData",
    "executableCode",
    "codeExecutionResult",
)


def assert_valid_gemini_request(body: dict[str, Any], model: str) -> None:
    """The spec's schema, plus the Part union the spec states only in prose.

    The schema requires ``model``, which REST callers give in the path (gRPC transcoding binds
    ``/models/{model}`` to that field), so it is added here as the path gives it.
    """
    assert "model" not in body
    validate_request(SPEC, CHAT_PATH, {"model": f"models/{model}", **body})
    contents = list(body["contents"])
    if "systemInstruction" in body:
        contents.append(body["systemInstruction"])
    for i, content in enumerate(contents):
        assert content["parts"], f"content {i} has no parts"
        for j, part in enumerate(content["parts"]):
            data = [f for f in PART_DATA_FIELDS if f in part]
            assert len(data) == 1, f"contents[{i}].parts[{j}] carries {data}, not exactly one"


def test_enough_cases_covering_each_kind() -> None:
    assert len(fixture_cases(PROVIDER, "native_request.json")) >= 10
    assert len(fixture_cases(PROVIDER, "native_response.json")) >= 8
    assert len(fixture_cases(PROVIDER, "error.json")) >= 8


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

    warnings: list[ProviderRuntimeWarning] = []
    if context.get("capability_pass"):
        request, warnings = prepare_request(request, ref, model_info, GOOGLE_CAPABILITIES)
    body, encoded = encode_gemini_request(request, ref.id, provider=PROVIDER, model_info=model_info)
    warnings += encoded

    assert_valid_gemini_request(dict(body), ref.id)
    assert msgspec.json.decode(msgspec.json.encode(body)) == body
    assert_matches_or_update(case / "native_request.json", body)
    actual_warnings = msgspec.to_builtins(warnings)
    if actual_warnings or (case / "expected_warnings.json").exists():
        assert_matches_or_update(case / "expected_warnings.json", actual_warnings)


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "native_response.json"), ids=case_id)
def test_native_response_decodes_to_canonical(case: Path) -> None:
    raw = (case / "native_response.json").read_bytes()
    validate(SPEC, "GenerateContentResponse", json.loads(raw))
    context = load_json(case / "context.json") if (case / "context.json").exists() else {}
    model = context.get("model", "gemini-2.5-flash")

    response = decode_gemini_response(raw, provider=PROVIDER, model=model)

    assert_matches_or_update(case / "canonical_response.json", msgspec.to_builtins(response))
    expected = msgspec.json.decode(
        (case / "canonical_response.json").read_bytes(), type=ProviderResponse
    )
    assert expected == response


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "error.json"), ids=case_id)
def test_native_error_maps_to_kind(case: Path) -> None:
    spec: dict[str, Any] = load_json(case / "error.json")
    body = spec["body"]
    if isinstance(body, dict):
        validate(SPEC, "Status", body["error"])
    assert_error_case(
        case,
        decode_gemini_error,
        provider=PROVIDER,
        url="https://generativelanguage.googleapis.com/v1beta",
        max_message=400,
    )
