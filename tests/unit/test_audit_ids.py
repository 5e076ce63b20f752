"""Audit record ids are opaque: they round-trip to the record's position, open only under
this deployment's keys and only as audit ids, and show no table-wide counter."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest

from orchestrator.core.audit.cursor import AuditIds, AuditPosition
from orchestrator.core.errors import BadRequest
from orchestrator.core.events.cursor import CursorCodec, EventCursor
from orchestrator.core.settings import CryptoSettings

KEY = base64.b64encode(b"k" * 32).decode()
OTHER = base64.b64encode(b"o" * 32).decode()
AT = dt.datetime(2026, 12, 9, 10, 11, 12, 345678, tzinfo=dt.UTC)


def ids(kek: str = KEY, previous: str = "") -> AuditIds:
    return AuditIds(CryptoSettings(kek=kek, kek_previous=previous))


def test_an_id_round_trips_to_the_records_position_to_the_microsecond() -> None:
    codec = ids()
    local = AT.astimezone(dt.timezone(dt.timedelta(hours=-5)))
    for position in (AuditPosition(AT, 1), AuditPosition(local, 2**63 - 1)):
        text = codec.encode(position)
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", text)
        assert codec.decode(text) == position


def test_ids_show_neither_the_counter_nor_its_order() -> None:
    codec = ids()
    texts = [codec.encode(AuditPosition(AT, n)) for n in range(1000, 1010)]
    assert not any("100" in text for text in texts)
    assert len(set(texts)) == 10
    assert texts != sorted(texts)


def test_only_this_deployments_audit_ids_open() -> None:
    codec = ids()
    text = codec.encode(AuditPosition(AT, 7))
    assert ids(OTHER).decode(text) is None
    assert codec.decode(text[:-1] + ("A" if text[-1] != "A" else "B")) is None
    assert codec.decode("nope") is None
    # An event cursor sealed under the same KEK is not an audit id.
    event = CursorCodec([b"k" * 32]).encode(EventCursor(1, 7))
    assert codec.decode(event) is None
    # During a KEK rotation, ids sealed under the previous KEK still open.
    assert ids(OTHER, previous=KEY).decode(text) == AuditPosition(AT, 7)


def test_a_cursor_parameter_is_none_a_position_or_a_400() -> None:
    codec = ids()
    assert codec.cursor_param(None) is None
    position = AuditPosition(AT, 3)
    assert codec.cursor_param(codec.encode(position)) == position
    with pytest.raises(BadRequest):
        codec.cursor_param("A" * 32)
