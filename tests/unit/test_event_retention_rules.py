"""Which event cursors retention has made unsafe to resume from."""

from __future__ import annotations

from orchestrator.core.events.cursor import START, EventCursor
from orchestrator.core.events.retention import is_expired

HORIZON = EventCursor(100, 7)


def test_nothing_is_expired_before_the_first_purge() -> None:
    assert not is_expired(START, None)
    assert not is_expired(EventCursor(1, 1), None)


def test_a_cursor_below_the_horizon_is_expired_in_xid_then_id_order() -> None:
    assert is_expired(START, HORIZON)
    assert is_expired(EventCursor(99, 10**9), HORIZON)
    assert is_expired(EventCursor(100, 6), HORIZON)


def test_the_last_purged_event_and_anything_after_it_resume_with_no_gap() -> None:
    assert not is_expired(HORIZON, HORIZON)
    assert not is_expired(EventCursor(100, 8), HORIZON)
    assert not is_expired(EventCursor(101, 1), HORIZON)
