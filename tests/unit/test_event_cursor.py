"""Event ids are opaque: they round-trip, and show no platform-wide counter."""

from __future__ import annotations

import re

import pytest

from orchestrator.core.events.cursor import CursorCodec, EventCursor, InvalidCursor

KEY = b"k" * 32
OTHER = b"o" * 32


def test_a_cursor_round_trips_through_its_opaque_text() -> None:
    codec = CursorCodec([KEY])
    for cursor in (EventCursor(0, 0), EventCursor(741, 9_001), EventCursor(2**63 - 1, 2**63 - 1)):
        text = codec.encode(cursor)
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", text)
        assert codec.decode(text) == cursor


def test_the_text_shows_neither_number_nor_their_order() -> None:
    codec = CursorCodec([KEY])
    texts = [codec.encode(EventCursor(5000, n)) for n in range(100, 110)]
    assert not any("5000" in text or "10" in text[:2] for text in texts)
    assert len(set(texts)) == 10
    assert texts != sorted(texts)  # ordering is the server's, after decoding


def test_a_cursor_made_under_another_key_or_altered_is_refused() -> None:
    codec = CursorCodec([KEY])
    foreign = CursorCodec([OTHER]).encode(EventCursor(1, 2))
    with pytest.raises(InvalidCursor):
        codec.decode(foreign)
    text = codec.encode(EventCursor(1, 2))
    altered = ("A" if text[0] != "A" else "B") + text[1:]
    for bad in (altered, text[:-1], text + "A", "", "not-a-cursor", "!" * 32):
        with pytest.raises(InvalidCursor):
            codec.decode(bad)


def test_a_cursor_made_under_the_previous_kek_still_opens_mid_rotation() -> None:
    before = CursorCodec([OTHER]).encode(EventCursor(3, 4))
    rotating = CursorCodec([KEY, OTHER])
    assert rotating.decode(before) == EventCursor(3, 4)
    assert CursorCodec([KEY]).decode(rotating.encode(EventCursor(3, 4))) == EventCursor(3, 4)


def test_the_plain_form_of_earlier_versions_is_taken_back() -> None:
    assert EventCursor.decode("12-34") == EventCursor(12, 34)
    with pytest.raises(InvalidCursor):
        EventCursor.decode(f"{2**63}-1")
