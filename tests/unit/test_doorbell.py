"""Doorbell tokens and the relay's linger: how many consumers a publication wakes, and when
the relay waits for fuller batches (ADR 0091)."""

from __future__ import annotations

from orchestrator.core.outbox.doorbell import RINGS_KEPT, doorbell_key, ring, tokens_for
from orchestrator.core.outbox.relay import RelayConfig, lingers


class RecordingPipeline:
    """Records the list commands queued on it."""

    def __init__(self) -> None:
        self.commands: list[tuple[object, ...]] = []

    def rpush(self, name: str, *values: object) -> None:
        self.commands.append(("rpush", name, len(values)))

    def ltrim(self, name: str, start: int, end: int) -> None:
        self.commands.append(("ltrim", name, start, end))


def test_a_message_wakes_one_consumer_and_a_burst_at_most_the_tokens_kept() -> None:
    assert tokens_for(0) == 0
    assert tokens_for(1) == 1
    assert tokens_for(5) == 5
    assert tokens_for(10_000) == RINGS_KEPT


def test_each_queue_rung_is_trimmed_to_the_tokens_kept_and_empty_ones_are_not_rung() -> None:
    pipe = RecordingPipeline()
    ring(pipe, "ns", [("jobs", 3), ("webhooks", 0), ("callbacks", 100)])
    jobs, callbacks = doorbell_key("ns", "jobs"), doorbell_key("ns", "callbacks")
    assert pipe.commands == [
        ("rpush", jobs, 3),
        ("ltrim", jobs, -RINGS_KEPT, -1),
        ("rpush", callbacks, RINGS_KEPT),
        ("ltrim", callbacks, -RINGS_KEPT, -1),
    ]


def test_a_doorbell_is_no_queue_of_the_broker() -> None:
    # Dramatiq names a queue's keys "<namespace>:<queue>" and "<namespace>:<queue>.msgs".
    assert doorbell_key("ns", "jobs") not in {"ns:jobs", "ns:jobs.msgs", "ns:jobs.DQ"}


def test_the_relay_lingers_only_after_a_pass_that_found_several_rows() -> None:
    config = RelayConfig(linger_s=0.005)
    assert not lingers(config, 0)
    assert not lingers(config, 1)
    assert lingers(config, 2)
    assert not lingers(RelayConfig(linger_s=0), 500)
