"""Golden fixture files: find the cases of a provider, compare results, rewrite on request.

A case is a directory ``tests/fixtures/<provider>/<case>/`` holding any of:
``canonical_request.json`` + ``native_request.json`` (+ ``context.json``,
``expected_warnings.json``), ``native_response.json`` + ``canonical_response.json``,
``error.json`` + ``expected_error.json``. Expected files are written by hand from the providers'
documentation, and each case's source is listed in ``tests/fixtures/REVIEW.md``.

``UPDATE_FIXTURES=1`` only *creates* an expected file that is missing, from the code's output, as a
first draft for a new case; it never rewrites an existing one, so a mismatch always fails. Whoever
adds or changes an expected file reviews every changed line against the provider's documentation
(protocol.md §1 for the canonical meanings, §6 for the mapping) before committing it, and adds the
case to REVIEW.md with the page or spec schema it was checked against.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import msgspec
import pytest

from provider_runtime.providers.http import ErrorDecoder
from provider_runtime.transport.http import HttpResponse

__all__ = [
    "FIXTURES_DIR",
    "assert_error_case",
    "assert_matches_or_update",
    "case_id",
    "dump_json",
    "fixture_cases",
    "load_json",
    "updating",
]

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


def updating() -> bool:
    """True when the run should write missing expectations (``UPDATE_FIXTURES=1``)."""
    return os.environ.get("UPDATE_FIXTURES", "") not in ("", "0")


def fixture_cases(provider: str, having: str | None = None) -> list[Path]:
    """Every case directory of ``provider`` (only those holding the file ``having``), by name."""
    root = FIXTURES_DIR / provider
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.iterdir()
        if p.is_dir() and not p.name.startswith(".") and (having is None or (p / having).exists())
    )


def case_id(path: Path) -> str:
    """The pytest id of a case: its directory name."""
    return path.name


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def dump_json(value: Any) -> str:
    """The one on-disk format: 2-space indent, UTF-8 kept readable, trailing newline."""
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def assert_matches_or_update(path: Path, actual: Any) -> None:
    """Assert ``actual`` equals the file's JSON; when updating, write the file if it is missing.

    Comparison is of parsed JSON (key order is irrelevant); on mismatch the failure shows a
    unified diff of the two documents. An existing expectation is never overwritten: a reviewed
    file changes only by hand, against the provider's documentation.
    """
    actual = json.loads(msgspec.json.encode(actual))  # Structs, Decimals, tuples -> plain JSON
    if not path.exists():
        if updating():
            path.write_text(dump_json(actual), encoding="utf-8")
            return
        pytest.fail(
            f"{path} is missing; write it from the provider's documentation (or run with "
            "UPDATE_FIXTURES=1 for a first draft, review every line and add it to REVIEW.md)"
        )
    expected = load_json(path)
    if expected != actual:
        diff = difflib.unified_diff(
            json.dumps(expected, indent=2, sort_keys=True).splitlines(),
            json.dumps(actual, indent=2, sort_keys=True).splitlines(),
            fromfile=f"{path} (expected)",
            tofile="actual",
            lineterm="",
        )
        hint = "\n(expectations are edited by hand against the provider's docs, never regenerated)"
        pytest.fail("golden fixture mismatch:\n" + "\n".join(diff) + hint, pytrace=False)


def assert_error_case(
    case: Path, decode: ErrorDecoder, *, provider: str, url: str, max_message: int
) -> None:
    """Decode the case's ``error.json`` answer and compare with ``expected_error.json``.

    ``error.json`` is ``{"status", "headers", "body"}`` (a JSON body, or a string such as a
    proxy's HTML page). The error must also carry the status, provider and request id, and
    quote a long body rather than paste it (its message stays under ``max_message``).
    """
    spec: dict[str, Any] = load_json(case / "error.json")
    body = spec["body"]
    content = json.dumps(body).encode() if isinstance(body, dict) else str(body).encode()
    http = HttpResponse(spec["status"], spec["headers"], content, url)
    error = decode(
        http.status,
        http.content,
        provider=provider,
        request_id=http.request_id,
        retry_after=http.retry_after,
        headers=http.headers,
    )
    expected = load_json(case / "expected_error.json")
    contains = expected.get("message_contains", "")
    actual = {
        "kind": error.kind.value,
        "provider_code": error.provider_code,
        "retryable": error.retryable,
        "retry_after": error.retry_after,
        "message_contains": contains if contains and contains in error.message else error.message,
    }
    assert_matches_or_update(case / "expected_error.json", actual)
    assert error.status == spec["status"]
    assert error.provider == provider
    assert error.request_id == http.request_id
    assert len(error.message) < max_message
