"""The golden-fixture helper: UPDATE_FIXTURES=1 drafts missing expectations, never rewrites one."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fixture_util import assert_matches_or_update, dump_json, load_json


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
