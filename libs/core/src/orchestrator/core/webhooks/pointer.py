"""JSON pointers (RFC 6901) into a decoded event, as payload mappings use them (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from orchestrator.core.webhooks.sources import WHOLE_EVENT


class _Missing:
    """What a pointer to nothing resolves to (``None`` is JSON ``null``, a real value)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()


def unescape(part: str) -> str:
    """One reference part decoded: ``~1`` → ``/``, then ``~0`` → ``~`` (that order)."""
    return part.replace("~1", "/").replace("~0", "~")


def resolve(document: object, pointer: str) -> object:
    """The value ``pointer`` names in ``document``, or ``MISSING``.

    ``""`` and ``"/"`` name the whole document (the bindings' convention). An array
    index is a decimal without leading zeros; ``-`` (past the end) names nothing.
    """
    if pointer in WHOLE_EVENT:
        return document
    if not pointer.startswith("/"):
        return MISSING
    node = document
    for raw in pointer[1:].split("/"):
        part = unescape(raw)
        if isinstance(node, Mapping):
            if part not in node:
                return MISSING
            node = node[part]
        elif isinstance(node, Sequence) and not isinstance(node, str | bytes):
            if not (part.isascii() and part.isdigit()) or (part != "0" and part[0] == "0"):
                return MISSING
            index = int(part)
            if index >= len(node):
                return MISSING
            node = node[index]
        else:
            return MISSING
    return node
