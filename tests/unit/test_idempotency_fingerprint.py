"""The idempotency fingerprint: method, path and (canonical) body decide sameness."""

from __future__ import annotations

import pytest

from orchestrator.core.idempotency.fingerprint import (
    MAX_KEY_LENGTH,
    canonical_body,
    fingerprint,
    key_problem,
)

BODY = b'{"connector":"echo","operation":"get","payload":{"b":1,"a":[1,2]}}'


def test_the_same_request_has_the_same_fingerprint() -> None:
    assert fingerprint("POST", "/api/v1/jobs", BODY) == fingerprint("post", "/api/v1/jobs", BODY)


def test_reordered_or_reformatted_json_is_the_same_request() -> None:
    same = b'{ "payload": {"a": [1, 2], "b": 1},\n "operation": "get", "connector": "echo" }'
    assert canonical_body(same) == canonical_body(BODY)
    assert fingerprint("POST", "/api/v1/jobs", same) == fingerprint("POST", "/api/v1/jobs", BODY)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("PUT", "/api/v1/jobs", BODY),
        ("POST", "/api/v1/execute", BODY),
        ("POST", "/api/v1/jobs", BODY.replace(b'"b":1', b'"b":2')),
        ("POST", "/api/v1/jobs", BODY.replace(b"[1,2]", b"[2,1]")),  # order in arrays counts
        ("POST", "/api/v1/jobs", b""),
    ],
)
def test_a_different_method_path_or_body_is_another_request(
    method: str, path: str, body: bytes
) -> None:
    assert fingerprint(method, path, body) != fingerprint("POST", "/api/v1/jobs", BODY)


def test_a_non_json_body_is_taken_byte_for_byte() -> None:
    assert canonical_body(b"a=1&b=2") == b"a=1&b=2"
    assert fingerprint("POST", "/x", b"a=1&b=2") != fingerprint("POST", "/x", b"b=2&a=1")


def test_no_ambiguity_between_path_and_body() -> None:
    assert fingerprint("POST", "/a\nb", b"c") != fingerprint("POST", "/a", b"b\nc")


@pytest.mark.parametrize(
    ("key", "valid"),
    [
        ("k", True),
        ("order-2024-0001_retry.1", True),
        ("x" * MAX_KEY_LENGTH, True),
        ("x" * (MAX_KEY_LENGTH + 1), False),
        ("", False),
        ("has space", False),
        ("tab\there", False),
        ("naïve", False),
    ],
)
def test_keys_are_visible_ascii_up_to_255_characters(key: str, valid: bool) -> None:
    assert (key_problem(key) is None) is valid
