"""How a resource's rows become its API views, and the problems its handlers document.

A response schema names the model's attributes it shows, so msgspec converts a row
straight into it (``from_attributes``) instead of a hand-written mapper per resource.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import msgspec
from litestar.openapi.datastructures import ResponseSpec

from orchestrator.core.db.pages import Page
from orchestrator.core.http.problems import problem_responses

S = TypeVar("S", bound=msgspec.Struct)

READS = problem_responses(400, 401, 403, 404, 409, 503)
"""The problems of a resource's reads and deletes."""
WRITES = problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 503)
"""The problems of a resource's creates and replaces."""


def created_once(schema: type[msgspec.Struct], what: str) -> dict[int, ResponseSpec]:
    """The responses of a create an ``operation_id`` makes idempotent (a saga's): ``200``
    with ``what`` an earlier request created (a new one is a ``201``), and its problems."""
    return {
        200: ResponseSpec(
            schema,
            description=f"The {what} an earlier request with this operation_id created",
            generate_examples=False,
        ),
        **problem_responses(400, 401, 403, 409, 413, 415, 422, 503),
    }


def page_schema(
    item: type[msgspec.Struct], doc: str, *, name: str | None = None
) -> type[msgspec.Struct]:
    """The list view of ``item``, called ``name`` (default: ``PolicyOut`` gives
    ``PolicyList``): ``doc`` says which page of what, in which order; its ``next_cursor`` is
    passed as ``cursor`` for the next page (``null`` on the last)."""
    return msgspec.defstruct(
        name or item.__name__.removesuffix("Out") + "List",
        [("items", list[item]), ("next_cursor", str | None)],  # type: ignore[valid-type]
        frozen=True,
        module=item.__module__,
        namespace={
            "__doc__": f"{doc}; pass ``next_cursor`` as ``cursor`` for the next (``null`` on "
            "the last)."
        },
    )


class _Shown:
    """``row`` as a response schema reads it: a UUID as text and an enum member as its
    value (as the API has always shown them), and ``extra`` in place of attributes the
    row does not hold."""

    __slots__ = ("_extra", "_row")

    def __init__(self, row: object, extra: Mapping[str, Any]) -> None:
        self._row = row
        self._extra = extra

    def __getattr__(self, name: str) -> Any:
        if name in self._extra:
            return self._extra[name]
        value = getattr(self._row, name)
        if isinstance(value, uuid.UUID):
            return str(value)  # a `uuid.UUID` field converts it back
        return value.value if isinstance(value, enum.Enum) else value


def out(row: object, schema: type[S], **extra: Any) -> S:
    """The API view ``schema`` of ``row``: its attributes of the schema's field names, and
    ``extra`` for the fields it derives."""
    return msgspec.convert(_Shown(row, extra), schema, from_attributes=True)


def page_out(
    got: Page[Any],
    schema: type[S],
    extra: Callable[[Any], Mapping[str, Any]] = lambda _: {},
) -> S:
    """The list view ``schema`` (``items`` and ``next_cursor``) of a page of rows, each
    shown as ``out`` shows it with ``extra(row)``."""
    shown = [_Shown(row, extra(row)) for row in got.items]
    return msgspec.convert(Page(shown, got.next_cursor), schema, from_attributes=True)
