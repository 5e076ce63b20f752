"""After-commit wake-ups: the first after a quiet spell goes at once, the rest coalesce."""

from __future__ import annotations

import pytest

from orchestrator.core.events.wake import flush_delay


def test_a_notification_after_a_quiet_spell_is_sent_at_once() -> None:
    assert flush_delay(0.002, flushed_at=10.0, now=10.5) == 0
    assert flush_delay(0.002, flushed_at=10.0, now=10.002) == 0


def test_a_notification_soon_after_a_flush_waits_for_the_next_one() -> None:
    assert flush_delay(0.002, flushed_at=10.0, now=10.0005) == pytest.approx(0.0015)
    assert flush_delay(0.002, flushed_at=10.0, now=10.0) == pytest.approx(0.002)
