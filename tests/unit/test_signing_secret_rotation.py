"""When a replaced signing secret stops signing (core/callbacks/secrets.py)."""

from __future__ import annotations

import datetime as dt

from orchestrator.core.callbacks.secrets import expiry_after_rotation

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def test_the_signing_secret_ends_after_the_grace_period() -> None:
    assert expiry_after_rotation(None, NOW, HOUR) == NOW + HOUR


def test_a_later_rotation_never_extends_an_older_secret() -> None:
    assert expiry_after_rotation(NOW + HOUR, NOW, 5 * HOUR) == NOW + HOUR
    assert expiry_after_rotation(NOW + 5 * HOUR, NOW, HOUR) == NOW + HOUR
