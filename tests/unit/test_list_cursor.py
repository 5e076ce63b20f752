"""The cursor of the control plane's lists: the last key of a page, as opaque URL-safe text."""

from __future__ import annotations

import base64
import datetime as dt
import re
import uuid

import pytest
from sqlalchemy import select

from orchestrator.core.configuration.models import Policy
from orchestrator.core.db.pages import (
    CURSOR_MAX_LENGTH,
    InvalidCursor,
    Keyset,
    PageRequest,
    decode_cursor,
    encode_cursor,
)
from orchestrator.core.errors import BadRequest
from orchestrator.core.identity.models.service_identity import ServiceIdentity
from orchestrator.core.models import Workspace

STAMP = dt.datetime(2026, 11, 25, 10, 0, 0, 123456, tzinfo=dt.UTC)
ID = uuid.UUID("0190b6a2-7c5e-7d1a-9b1e-3f2a4c5d6e7f")
CREATED = [dt.datetime, uuid.UUID]


def raw(text: bytes) -> str:
    return base64.urlsafe_b64encode(text).decode().rstrip("=")


@pytest.mark.parametrize(
    ("key", "types"),
    [
        (("payments",), [str]),
        (("a-name_with-every_char-0123456789",), [str]),
        ((STAMP, ID), CREATED),
        ((STAMP.astimezone(dt.timezone(dt.timedelta(hours=-5))), ID), CREATED),
    ],
)
def test_a_key_round_trips_through_url_safe_text(
    key: tuple[object, ...], types: list[type]
) -> None:
    text = encode_cursor(key)  # type: ignore[arg-type]
    assert re.fullmatch(r"[A-Za-z0-9_-]+", text)
    assert decode_cursor(text, types) == key


def test_the_longest_name_fits_the_cursor_parameter() -> None:
    name = "n" * 200  # service identities' names are the longest keys
    assert len(encode_cursor([name])) <= CURSOR_MAX_LENGTH
    assert decode_cursor(encode_cursor([name]), [str]) == (name,)


@pytest.mark.parametrize(
    ("text", "types"),
    [
        ("", [str]),
        ("not a cursor", [str]),
        ("!!!!", [str]),
        (raw(b"\xff\xfe"), [str]),  # not UTF-8
        (raw(b"{}"), [str]),  # not an array
        (raw(b"[1]"), [str]),  # not text
        (raw(b'["a", "b"]'), [str]),  # a key of another list
        (encode_cursor(["payments"]), CREATED),
        (raw(b'["\\u0000"]'), [str]),  # NUL: PostgreSQL cannot take it
        (raw(b'["\\ud800"]'), [str]),  # a lone surrogate: not encodable
        (encode_cursor(["2026-11-25T10:00:00", str(ID)]), CREATED),  # naive time
        (encode_cursor([STAMP.isoformat(), "not-a-uuid"]), CREATED),
        (encode_cursor(["yesterday", str(ID)]), CREATED),
    ],
)
def test_text_that_no_page_returned_is_refused(text: str, types: list[type]) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(text, types)


def test_a_keyset_reads_its_value_types_from_its_columns() -> None:
    assert Keyset(Policy.name).types == [str]
    assert Keyset(Workspace.created_at, Workspace.id).types == CREATED
    assert Keyset(ServiceIdentity.name).after(encode_cursor(["svc"])) == ("svc",)
    with pytest.raises(BadRequest):
        Keyset(Workspace.created_at, Workspace.id).after(encode_cursor(["svc"]))


def test_cutting_a_page_names_the_last_row_kept_only_when_a_row_is_left_over() -> None:
    keyset = Keyset(Policy.name)
    rows = [Policy(name=name) for name in ("a", "b", "c")]
    page = keyset.cut(rows, PageRequest(limit=2), lambda row: row)
    assert [row.name for row in page.items] == ["a", "b"]
    assert page.next_cursor is not None
    assert decode_cursor(page.next_cursor, [str]) == ("b",)
    last = keyset.cut(rows, PageRequest(limit=3), lambda row: row)
    assert (len(last.items), last.next_cursor) == (3, None)
    every = keyset.cut(rows, PageRequest(), lambda row: row)
    assert (len(every.items), every.next_cursor) == (3, None)


def test_a_descending_keyset_pages_newest_first_below_the_cursor() -> None:
    query = select(Workspace)
    cursor = encode_cursor([STAMP, ID])
    newest = Keyset(Workspace.created_at, Workspace.id, descending=True)
    sql = str(newest.bound(query, PageRequest(limit=2, cursor=cursor)))
    assert "(workspaces.created_at, workspaces.id) < (" in sql
    assert "ORDER BY workspaces.created_at DESC, workspaces.id DESC" in sql
    oldest = Keyset(Workspace.created_at, Workspace.id)
    sql = str(oldest.bound(query, PageRequest(limit=2, cursor=cursor)))
    assert "(workspaces.created_at, workspaces.id) > (" in sql
    assert "DESC" not in sql
