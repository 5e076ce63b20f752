"""Constraints shared by request schemas."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from orchestrator.core.errors import BadRequest

NO_NUL = r"^[^\x00]*$"
"""Pattern of free text stored in PostgreSQL, whose text cannot hold U+0000: refused
as a 400 at the edge rather than a 500 from the database."""

InstantText = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=64,
        description="An RFC 3339 date-time with its offset (`2026-11-25T10:00:00Z`).",
        # Litestar adds ``extra`` to the OpenAPI schema of the member.
        extra_json_schema={"extra": {"format": "date-time"}},
    ),
]
"""A date-time in a request body, taken as text and read by ``parse_instant``: a decoder
that is lenient with request bodies would read a bare number as a Unix time."""


def parse_instant(name: str, text: str | None) -> dt.datetime | None:
    """An RFC 3339 date-time with its offset; 400 for anything else (a bare number, a
    date, a time without its offset), which a lenient parse would have read somehow."""
    if text is None:
        return None
    try:
        value = msgspec.convert(text, dt.datetime)
    except msgspec.ValidationError:
        value = None
    if value is None or value.tzinfo is None:
        raise BadRequest(f"`{name}` is not an RFC 3339 date-time with an offset.")
    return value
