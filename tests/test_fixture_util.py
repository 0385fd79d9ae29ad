"""The golden-fixture helper: UPDATE_FIXTURES=1 drafts missing expectations, never rewrites one;
every expected answer is listed in tests/fixtures/REVIEW.md with the documentation behind it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixture_util import (
    FIXTURES_DIR,
    assert_matches_or_update,
    dump_json,
    fixture_cases,
    load_json,
)


def test_update_flag_writes_a_missing_expectation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPDATE_FIXTURES", "1")
    path = tmp_path / "canonical_response.json"

    assert_matches_or_update(path, {"finish_reason": "stop"})

    assert load_json(path) == {"finish_reason": "stop"}


def test_update_flag_never_rewrites_a_reviewed_expectation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPDATE_FIXTURES", "1")
    path = tmp_path / "canonical_response.json"
    reviewed = dump_json({"finish_reason": "stop"})
    path.write_text(reviewed, encoding="utf-8")

    with pytest.raises(pytest.fail.Exception, match="golden fixture mismatch"):
        assert_matches_or_update(path, {"finish_reason": "length"})

    assert path.read_text(encoding="utf-8") == reviewed


def test_without_the_flag_a_missing_expectation_fails_and_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UPDATE_FIXTURES", raising=False)
    path = tmp_path / "expected_error.json"

    with pytest.raises(pytest.fail.Exception, match="is missing"):
        assert_matches_or_update(path, {"kind": "server"})

    assert not path.exists()


def test_a_matching_expectation_passes_whatever_the_key_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UPDATE_FIXTURES", raising=False)
    path = tmp_path / "expected_error.json"
    path.write_text('{"retryable": true, "kind": "server"}\n', encoding="utf-8")

    assert_matches_or_update(path, {"kind": "server", "retryable": True})


def _reviewed_cases(provider_heading: str) -> set[str]:
    """The case names in the first column of REVIEW.md's table under ``provider_heading``."""
    text = (FIXTURES_DIR / "REVIEW.md").read_text(encoding="utf-8")
    section = text.split(f"\n## {provider_heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = (line.split("|") for line in section.splitlines() if line.startswith("| "))
    return {cells[1].strip() for cells in rows} - {"case"}


@pytest.mark.parametrize(
    ("provider", "heading"),
    [
        ("anthropic", "Anthropic"),
        ("openai", "OpenAI and compatible servers"),
        ("openrouter", "OpenRouter"),
        ("bedrock", "Bedrock"),
        ("google", "Google Gemini"),
    ],
)
def test_every_expected_answer_names_the_documentation_it_was_checked_against(
    provider: str, heading: str
) -> None:
    expected = {
        case.name
        for name in ("canonical_response.json", "expected_error.json")
        for case in fixture_cases(provider, name)
    }
    reviewed = _reviewed_cases(heading)
    assert expected - reviewed == set(), "add these cases to tests/fixtures/REVIEW.md"
    assert reviewed - expected == set(), "REVIEW.md lists cases that hold no expected answer"


@pytest.mark.parametrize(
    ("provider", "heading"),
    [
        ("anthropic", "Anthropic requests"),
        ("openai", "OpenAI requests"),
        ("openrouter", "OpenRouter requests"),
        ("openai_responses", "OpenAI Responses requests"),
    ],
)
def test_every_listed_request_case_holds_an_expected_request(provider: str, heading: str) -> None:
    """Request cases listed in REVIEW.md exist with their hand-written native request."""
    requests = {case.name for case in fixture_cases(provider, "native_request.json")}
    reviewed = _reviewed_cases(heading)
    assert reviewed, f"REVIEW.md has no `## {heading}` table"
    assert reviewed - requests == set(), "REVIEW.md lists request cases that do not exist"
