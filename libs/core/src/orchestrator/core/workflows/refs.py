"""``{"$ref": "<JSON Pointer>"}`` in step payloads: resolved against the run, never executed.

A payload is literal JSON except where a value is an object whose only member is
``"$ref"`` with a string: that value is replaced by what the pointer (RFC 6901) names in
the run's document ``{"input": <run input>, "steps": {<name>: {"output": <output>}}}``.
Pure functions; the same parser checks pointers when a workflow is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

REF = "$ref"
_ESCAPE = re.compile(r"~(?![01])")
_INDEX = re.compile(r"0|[1-9][0-9]*")


class InvalidPointer(ValueError):
    """Not a JSON Pointer (RFC 6901) this module accepts."""


class MissingValue(LookupError):
    """A pointer that names nothing in the run's document."""

    def __init__(self, pointer: str) -> None:
        super().__init__(f"`{pointer}` names no value in the run's input or step outputs")
        self.pointer = pointer


def parse_pointer(pointer: str) -> list[str]:
    """The reference tokens of ``pointer`` (``""`` is the whole document), unescaped."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise InvalidPointer("a JSON Pointer starts with `/`")
    raw = pointer[1:].split("/")
    for token in raw:
        if _ESCAPE.search(token):
            raise InvalidPointer("`~` must be followed by 0 or 1 (`~0` is `~`, `~1` is `/`)")
    return [token.replace("~1", "/").replace("~0", "~") for token in raw]


def as_ref(value: Any) -> str | None:
    """The pointer of a ``{"$ref": "..."}`` value, or None for any other value."""
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get(REF), str):
        pointer: str = value[REF]
        return pointer
    return None


def refs_in(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every ``(location, pointer)`` of the references in ``value``; ``location`` is a JSON
    Pointer to the reference within ``value``, prefixed by ``where``."""
    pointer = as_ref(value)
    if pointer is not None:
        yield where, pointer
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from refs_in(item, f"{where}/{_escape(str(key))}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from refs_in(item, f"{where}/{index}")


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def lookup(document: Any, pointer: str) -> Any:
    """The value ``pointer`` names in ``document``; ``MissingValue`` when there is none."""
    current = document
    for token in parse_pointer(pointer):
        if isinstance(current, Mapping) and token in current:
            current = current[token]
        elif isinstance(current, list) and _INDEX.fullmatch(token) and int(token) < len(current):
            current = current[int(token)]
        else:
            raise MissingValue(pointer)
    return current


def run_document(run_input: Any, outputs: Mapping[str, Any]) -> dict[str, Any]:
    """What references resolve against: the run's input and the outputs of its finished
    steps (by step name)."""
    return {"input": run_input, "steps": {name: {"output": out} for name, out in outputs.items()}}


def resolve(payload: Any, document: Any) -> Any:
    """``payload`` with every reference replaced by its value (a copy; the input is not
    changed). ``MissingValue`` names the first reference with no value."""
    pointer = as_ref(payload)
    if pointer is not None:
        return lookup(document, pointer)
    if isinstance(payload, dict):
        return {key: resolve(item, document) for key, item in payload.items()}
    if isinstance(payload, list):
        return [resolve(item, document) for item in payload]
    return payload
