"""Keyset pagination of the control plane's lists: a page request, the page, its cursor.

A list is ordered by a unique key (a name, or ``(created_at, id)``); a page is the rows
after the previous page's last key, read with ``WHERE key > :after ORDER BY key LIMIT n+1``
(``<`` and ``DESC`` for a list shown newest first; the extra row says whether there is a
next page), never with ``OFFSET``. The cursor is that last key, opaque to clients:
unpadded base64url of a JSON array of its values as text.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, TypeVarTuple

import msgspec
from sqlalchemy import Select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from orchestrator.core.errors import BadRequest

DEFAULT_LIMIT = 50
"""Rows a page holds when the client names no ``limit`` (as ``/jobs``, ``/dlq``)."""
MAX_LIMIT = 500
"""The largest ``limit`` a client may ask for."""
CURSOR_MAX_LENGTH = 400
"""Longer than any cursor this API returns (a 200-character name is 272)."""

T = TypeVar("T")
R = TypeVar("R")
Ts = TypeVarTuple("Ts")
Key = str | dt.datetime | uuid.UUID | int


class InvalidCursor(ValueError):
    """The text is not a cursor of this list."""


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Up to ``limit`` rows after ``cursor`` (``None``: from the first row); no ``limit``
    means every row, for internal readers such as bundle export."""

    limit: int | None = None
    cursor: str | None = None


EVERY = PageRequest()
"""The whole list, in key order, in one page."""


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """Rows in key order and the cursor of the next page (``None`` after the last)."""

    items: list[T]
    next_cursor: str | None


def _text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL")
    value.encode()  # a lone surrogate cannot be sent to PostgreSQL
    return value


def _instant(value: str) -> dt.datetime:
    instant = dt.datetime.fromisoformat(value)
    if instant.tzinfo is None:
        raise ValueError("naive timestamp")
    return instant


def _number(value: str) -> int:
    number = int(value)
    if not 0 <= number < 2**31:  # a PostgreSQL integer, or the query would fail
        raise ValueError("out of range")
    return number


_PARSERS: dict[type, Callable[[str], Key]] = {
    str: _text,
    dt.datetime: _instant,
    uuid.UUID: uuid.UUID,
    int: _number,
}


def encode_cursor(key: Sequence[Key]) -> str:
    """The opaque text of a key."""
    values = [v.isoformat() if isinstance(v, dt.datetime) else str(v) for v in key]
    return base64.urlsafe_b64encode(msgspec.json.encode(values)).decode().rstrip("=")


def decode_cursor(text: str, types: Sequence[type]) -> tuple[Key, ...]:
    """The key ``encode_cursor`` wrote, of the given value types; ``InvalidCursor`` for any
    other text."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        values = msgspec.json.decode(raw, type=list[str])
        if len(values) != len(types):
            raise ValueError("a key of another list")
        return tuple(_PARSERS[t](v) for t, v in zip(types, values, strict=True))
    except (ValueError, binascii.Error, msgspec.DecodeError) as exc:
        raise InvalidCursor("not a cursor of this list") from exc


class Keyset:
    """The unique columns a list is ordered and paged by: ascending, or newest first
    (``descending``: ``WHERE key < :after ORDER BY key DESC``)."""

    def __init__(self, *columns: InstrumentedAttribute[Any], descending: bool = False) -> None:
        self.columns = columns
        self.descending = descending
        self.types = [column.type.python_type for column in columns]
        if not set(self.types) <= set(_PARSERS):
            raise TypeError(f"a keyset of text, timestamps, UUIDs and integers, not {self.types}")

    def after(self, cursor: str) -> tuple[Key, ...]:
        """The key a ``cursor`` query parameter names; 400 for text this API did not return."""
        try:
            return decode_cursor(cursor, self.types)
        except InvalidCursor:
            raise BadRequest("`cursor` is not a cursor this API returned.") from None

    def bound(self, query: Select[*Ts], page: PageRequest) -> Select[*Ts]:
        """``query`` limited to the page: after its cursor, in key order, one row more."""
        if page.cursor is not None:
            after = self.after(page.cursor)
            if len(self.columns) == 1:
                key: Any = self.columns[0]
                bound: Any = after[0]
            else:
                key = tuple_(*self.columns)
                bound = tuple_(*after, types=[column.type for column in self.columns])
            query = query.where(key < bound if self.descending else key > bound)
        if self.descending:
            query = query.order_by(*(column.desc() for column in self.columns))
        else:
            query = query.order_by(*self.columns)
        return query if page.limit is None else query.limit(page.limit + 1)

    def cut(self, rows: Sequence[R], page: PageRequest, model: Callable[[R], Any]) -> Page[R]:
        """The page of what ``bound``'s query returned; ``model`` finds a row's keyed object."""
        if page.limit is None or len(rows) <= page.limit:
            return Page(list(rows), None)
        last = model(rows[page.limit - 1])
        key = [getattr(last, column.key) for column in self.columns]
        return Page(list(rows[: page.limit]), encode_cursor(key))

    async def scalars(
        self, session: AsyncSession, query: Select[T], page: PageRequest = EVERY
    ) -> Page[T]:
        """A page of a one-entity query."""
        rows = (await session.scalars(self.bound(query, page))).all()
        return self.cut(rows, page, lambda row: row)

    async def tuples(
        self, session: AsyncSession, query: Select[T, *Ts], page: PageRequest = EVERY
    ) -> Page[tuple[T, *Ts]]:
        """A page of a query whose first column is the keyed entity."""
        rows = (await session.execute(self.bound(query, page))).all()
        return self.cut(rows, page, lambda row: row[0])
