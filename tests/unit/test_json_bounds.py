"""The JSON depth scanner agrees with a parser, and stored values past any depth still load."""

from __future__ import annotations

import json
import time
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.core.errors import ConfigurationError
from orchestrator.core.jsonbounds import STORED_DEPTH, UnreadableJson, load_stored, nests_deeper
from orchestrator.core.settings import DeploymentSettings

# Strings full of what could fool a scanner: brackets, quotes, backslashes.
TRICKY = st.text(alphabet='[]{}"\\ab\n\u00e9\U0001f600', max_size=8)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TRICKY,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY, inner, max_size=3),
    max_leaves=40,
)


def depth_of(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    return 0


def nested(levels: int, *, leaf: bytes = b"1") -> bytes:
    return b'{"a":' * levels + leaf + b"}" * levels


@settings(max_examples=400, deadline=None)
@given(VALUES, st.booleans(), st.integers(min_value=0, max_value=8))
def test_the_scanner_agrees_with_the_parser_on_any_document(
    value: Any, ascii_only: bool, limit: int
) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert nests_deeper(body, limit) is (depth_of(value) > limit), body


@pytest.mark.parametrize(
    ("body", "deeper_than_3"),
    [
        (b"[[[]]]", False),
        (b"[[[[]]]]", True),
        (b'["[[[[[[", {"k[[[[": "]]]]"}]', False),  # brackets inside strings
        (b'["\\"[[[[[["]', False),  # an escaped quote does not end the string
        (b'["\\\\", [[[1]]]]', True),  # an escaped backslash does not escape the quote
        (b"[" * 100_000, True),  # never closed
        (b"]]]]][[[", False),  # nonsense a parser refuses at once
        (b"{}" * 1000, False),
    ],
)
def test_the_scanner_on_hand_picked_bodies(body: bytes, deeper_than_3: bool) -> None:
    assert nests_deeper(body, 3) is deeper_than_3


def test_scanning_is_cheap_next_to_parsing() -> None:
    records = [
        {"id": i, "name": f"item {i}", "tags": ["a", "b"], "meta": {"x": [1]}} for i in range(800)
    ]
    body = json.dumps({"items": records}).encode()[:65536].rsplit(b"},", 1)[0] + b"}]}"
    msgspec.json.decode(body)
    small = b'{"connector":"echo","operation":"get","payload":{"order":42,"items":[1,2,3]}}'

    def best(call: Any, body: bytes) -> float:
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(20):
                call(body)
            timings.append((time.perf_counter() - started) / 20)
        return min(timings)

    scan = best(lambda b: nests_deeper(b, 64), body)
    parse = best(msgspec.json.decode, body)
    assert scan < 4 * parse, (scan, parse)  # about one parse of a 64 KiB document
    assert best(lambda b: nests_deeper(b, 64), small) < 5e-6  # two counts, no scan


def test_a_stored_value_within_the_bound_loads_as_itself() -> None:
    text = nested(STORED_DEPTH)
    assert load_stored(text) == json.loads(text)
    assert load_stored(memoryview(b'{"n": [1, 2.5, "x"]}')) == {"n": [1, 2.5, "x"]}


@pytest.mark.parametrize("levels", [STORED_DEPTH + 1, 960, 20_000])
def test_a_stored_value_past_the_bound_loads_as_a_marker_with_its_text(levels: int) -> None:
    text = nested(levels)
    loaded = load_stored(text)
    assert isinstance(loaded, UnreadableJson)
    assert loaded["unreadable"] == "nested-too-deep"
    assert loaded["json"] == text.decode()
    assert msgspec.json.decode(msgspec.json.encode(loaded))["json"] == text.decode()


def test_the_deployment_limit_never_exceeds_what_stored_values_read_back_at() -> None:
    assert DeploymentSettings.from_env({}).max_json_depth == 64
    assert DeploymentSettings.from_env({"ORCH_MAX_JSON_DEPTH": str(STORED_DEPTH)})
    with pytest.raises(ConfigurationError, match="ORCH_MAX_JSON_DEPTH"):
        DeploymentSettings.from_env({"ORCH_MAX_JSON_DEPTH": str(STORED_DEPTH + 1)})
