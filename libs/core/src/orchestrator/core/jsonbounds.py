"""How deep a JSON text nests, read from its bytes without parsing it.

Every JSON body is checked with ``nests_deeper`` before any parser sees it: msgspec and
the standard library both recurse once per level, and fail with a ``RecursionError``
(a 500) somewhere below Python's recursion limit, at a depth that depends on how deep
the stack already is. ``load_stored`` is the other side: PostgreSQL keeps a ``jsonb``
value of any depth, and a row written before the limit (or by hand) must not make a
read fail, so a stored value nested past ``STORED_DEPTH`` loads as an ``UnreadableJson``
marker instead.
"""

from __future__ import annotations

import json
from array import array
from functools import cache
from itertools import accumulate
from typing import Any

from orchestrator.core.errors import BodyNotUtf8, JsonTooDeep

STORED_DEPTH = 128
"""The deepest stored JSON value that loads as itself; also the most ``ORCH_MAX_JSON_DEPTH``
may be, so that whatever the API accepts reads back."""

_OPEN, _CLOSE = b"\x01", b"\xff"
_PAIR = _OPEN + _CLOSE
# Brackets become +1 / -1 (as signed bytes); quotes stay; everything else goes.
_BRACKETS = bytes.maketrans(b"[{]}", _OPEN * 2 + _CLOSE * 2)
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'[]{}"')
_PASSES = 4
"""Levels peeled with ``bytes.replace`` before the remaining depth is summed up: ordinary
documents (a few levels) end here; a pathological one is summed in one C-level pass."""


@cache
def _run(length: int) -> bytes:
    return _OPEN * length


def _without_escapes(body: bytes) -> bytes:
    """``body`` without its escaped backslashes and quotes: every quote left delimits a string.

    Only ``\\\\`` and ``\\"`` can change where a string ends; ``replace`` pairs backslashes
    from the left, as a JSON parser does inside a string.
    """
    return body.replace(b"\\\\", b"").replace(b'\\"', b"")


def nests_deeper(body: bytes, limit: int) -> bool:
    """Whether the JSON text ``body`` opens more than ``limit`` arrays/objects inside each other.

    Brackets inside strings do not count. Exact for valid JSON; for invalid JSON it never
    says less than a parser would reach before failing. A body with at most ``limit``
    brackets in all costs two ``bytes.count`` calls.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    if b'\\"' in body:
        body = _without_escapes(body)
    shape = body.translate(_BRACKETS, _NOT_STRUCTURE)
    if b'"' in shape:
        # Two quotes side by side close one string and open the next (or open and close an
        # empty one): dropping them changes nothing, and leaves few strings to split out.
        shape = shape.replace(b'""', b"")
        if b'"' in shape:
            shape = b"".join(shape.split(b'"')[::2])
    if _run(limit + 1) in shape:
        return True
    depth = 0
    for _ in range(_PASSES):
        # Each pass removes the innermost pair of every branch: one level of the tree.
        peeled = shape.replace(_PAIR, b"")
        if len(peeled) == len(shape):
            break
        shape, depth = peeled, depth + 1
    if not shape:
        return depth > limit
    return depth + max(accumulate(array("b", shape))) > limit


class UnreadableJson(dict[str, Any]):
    """What a stored JSON value nested past ``STORED_DEPTH`` reads as: a marker with its text.

    A ``dict``, so a view encodes it like any object; its own type, so code that would
    act on the value (an upstream call) can refuse it.
    """

    def __init__(self, text: str) -> None:
        super().__init__(
            unreadable="nested-too-deep",
            detail=f"This JSON value nests deeper than {STORED_DEPTH} levels; "
            "it is shown as its text.",
            json=text,
        )


def load_stored(data: bytes | bytearray | memoryview | str) -> Any:
    """Load a JSON value read from the database (psycopg's ``jsonb``/``json`` loader)."""
    raw = data.encode() if isinstance(data, str) else bytes(data)
    if nests_deeper(raw, STORED_DEPTH):
        return UnreadableJson(raw.decode("utf-8", "replace"))
    try:
        return json.loads(raw)
    except RecursionError:  # only with a stack already near the limit
        return UnreadableJson(raw.decode("utf-8", "replace"))


def refuse_unparseable(body: bytes, limit: int) -> None:
    """Raise a 400 for a JSON body a parser must not see: not UTF-8 (msgspec would raise a
    bare ``UnicodeDecodeError``), or nested deeper than ``limit``."""
    if not body.isascii():
        try:
            body.decode()
        except UnicodeDecodeError:
            raise BodyNotUtf8("The body is not valid UTF-8.") from None
    refuse_too_deep(body, limit)


def refuse_too_deep(body: bytes, limit: int) -> None:
    """Raise ``JsonTooDeep`` (400) when the JSON text ``body`` nests deeper than ``limit``."""
    if nests_deeper(body, limit):
        raise JsonTooDeep(
            f"JSON bodies may nest at most {limit} arrays or objects inside each other.",
            max_depth=limit,
        )
