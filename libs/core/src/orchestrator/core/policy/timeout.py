"""Timeouts: one attempt's connect and read timeouts never outlast the total deadline."""

from __future__ import annotations

from orchestrator.core.policy.model import TimeoutPolicy


def attempt_timeouts(policy: TimeoutPolicy, remaining_s: float) -> tuple[float, float]:
    """``(connect_s, read_s)`` for the next attempt, each clamped to what the deadline leaves."""
    remaining = max(remaining_s, 0.0)
    return min(policy.connect_s, remaining), min(policy.read_s, remaining)
