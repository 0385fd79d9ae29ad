"""Golden contract fixtures for Anthropic: canonical <-> native request, response and error.

Each directory under tests/fixtures/anthropic/ is one case (see tests/fixture_util.py). Every
native request is validated against the official `/v1/messages` request schema, every native
response against the spec's `Message` schema (or the one named in native_response_schema.txt),
and every JSON error body against `ErrorResponse`. UPDATE_FIXTURES=1 drafts missing expectations
only.
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
from provider_runtime.providers.anthropic import (
    ANTHROPIC_CAPABILITIES,
    JSON_TOOL_NAME,
    decode_anthropic_error,
    decode_anthropic_response,
    encode_anthropic_request,
    uses_json_tool,
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

PROVIDER = "anthropic"
CASES = fixture_cases(PROVIDER)
# Documented at https://docs.claude.com/en/api/errors but absent from the spec's ErrorResponse.
SPEC_MISSING_ERROR_TYPES = frozenset({"request_too_large"})


def test_enough_cases_covering_each_kind() -> None:
    assert len(CASES) >= 15
    assert len(fixture_cases(PROVIDER, "native_request.json")) >= 15
    assert len(fixture_cases(PROVIDER, "native_response.json")) >= 15
    assert len(fixture_cases(PROVIDER, "error.json")) >= 10
    for case in CASES:
        assert any(
            (case / f).exists()
            for f in ("canonical_request.json", "native_response.json", "error.json")
        ), f"{case.name} holds no request, response or error fixture"


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "canonical_request.json"), ids=case_id)
def test_request_encodes_to_native(case: Path) -> None:
    request = msgspec.json.decode(
        (case / "canonical_request.json").read_bytes(), type=ProviderRequest
    )
    model_info = None
    context = load_json(case / "context.json") if (case / "context.json").exists() else {}
    if "model_info" in context:
        model_info = msgspec.convert(context["model_info"], ModelInfo)
    ref = request.model_ref()
    assert ref.provider == PROVIDER

    warnings: list[ProviderRuntimeWarning] = []
    if context.get("capability_pass"):
        # The case is about what the target accepts: the runtime's one pass decides, the
        # encoder trusts the result (runtime/capabilities.py).
        request, warnings = prepare_request(request, ref, model_info, ANTHROPIC_CAPABILITIES)
    body, encoded = encode_anthropic_request(
        request, ref.id, provider=PROVIDER, model_info=model_info
    )
    warnings += encoded

    # Fields newer than the 2026-01 copy (output_config, adaptive thinking, tool strict) are
    # validated against the spec copy the case names in native_request_spec.txt.
    spec = PROVIDER
    if (case / "native_request_spec.txt").exists():
        spec = (case / "native_request_spec.txt").read_text(encoding="utf-8").strip()
    validate_request(spec, "/v1/messages", body)
    assert msgspec.json.decode(msgspec.json.encode(body)) == body  # plain JSON, nothing else
    assert_matches_or_update(case / "native_request.json", body)
    actual_warnings = msgspec.to_builtins(warnings)
    if actual_warnings or (case / "expected_warnings.json").exists():
        assert_matches_or_update(case / "expected_warnings.json", actual_warnings)


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "native_response.json"), ids=case_id)
def test_native_response_decodes_to_canonical(case: Path) -> None:
    raw = (case / "native_response.json").read_bytes()
    schema = "Message"
    if (case / "native_response_schema.txt").exists():
        schema = (case / "native_response_schema.txt").read_text(encoding="utf-8").strip()
    validate(PROVIDER, schema, json.loads(raw))
    json_tool = None
    if (case / "canonical_request.json").exists():
        request = msgspec.json.decode(
            (case / "canonical_request.json").read_bytes(), type=ProviderRequest
        )
        json_tool = JSON_TOOL_NAME if uses_json_tool(request) else None

    response = decode_anthropic_response(raw, provider=PROVIDER, json_tool=json_tool)

    assert_matches_or_update(case / "canonical_response.json", msgspec.to_builtins(response))
    # the expectation itself is a valid canonical response (strict types, no unknown fields)
    expected = msgspec.json.decode(
        (case / "canonical_response.json").read_bytes(), type=ProviderResponse
    )
    assert expected == response


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "error.json"), ids=case_id)
def test_native_error_maps_to_kind(case: Path) -> None:
    spec: dict[str, Any] = load_json(case / "error.json")
    body = spec["body"]
    if isinstance(body, dict) and body["error"]["type"] not in SPEC_MISSING_ERROR_TYPES:
        validate(PROVIDER, "ErrorResponse", body)
    assert_error_case(
        case,
        decode_anthropic_error,
        provider=PROVIDER,
        url="https://api.anthropic.com",
        max_message=400,
    )  # an HTML page is quoted, not pasted whole


@pytest.mark.parametrize("case", fixture_cases(PROVIDER, "native_request_spec.txt"), ids=case_id)
def test_a_case_names_a_newer_spec_only_when_the_default_copy_rejects_it(case: Path) -> None:
    """A request using fields newer than `tests/specs/anthropic.json` (2026-01) validates
    against the copy it names; the default copy must reject it, or the file is not needed."""
    body = load_json(case / "native_request.json")
    with pytest.raises(AssertionError, match="does not match anthropic "):
        validate_request(PROVIDER, "/v1/messages", body)
