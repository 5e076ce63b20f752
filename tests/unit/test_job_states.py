"""The job lifecycle: every pair of statuses is either a listed transition or refused."""

from __future__ import annotations

import itertools

import pytest

from orchestrator.core.jobs.states import (
    ACTIVE,
    REPLAYABLE,
    TERMINAL,
    TRANSITIONS,
    IllegalTransition,
    JobStatus,
    after_attempt,
    attempt_in_run,
    event_for,
    is_legal,
    replayed_max_attempts,
    sources,
)

Q, R, S, F, D, C = (
    JobStatus.QUEUED,
    JobStatus.RUNNING,
    JobStatus.SUCCEEDED,
    JobStatus.FAILED,
    JobStatus.DEAD,
    JobStatus.CANCELLED,
)
LEGAL = {
    (Q, R): "job.running",
    (Q, C): "job.cancelled",
    (R, R): "job.running",
    (R, S): "job.succeeded",
    (R, F): "job.failed",
    (R, Q): "job.retry_scheduled",
    (R, D): "job.dead",
    (D, Q): "job.replayed",
}
PAIRS = list(itertools.product(JobStatus, repeat=2))


def test_the_table_is_exactly_the_documented_lifecycle() -> None:
    assert dict(TRANSITIONS) == LEGAL


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if p in LEGAL])
def test_a_legal_transition_names_its_event(current: JobStatus, target: JobStatus) -> None:
    assert is_legal(current, target)
    assert event_for(current, target) == LEGAL[(current, target)]


@pytest.mark.parametrize(("current", "target"), [p for p in PAIRS if p not in LEGAL])
def test_every_other_transition_is_refused(current: JobStatus, target: JobStatus) -> None:
    assert not is_legal(current, target)
    with pytest.raises(IllegalTransition) as refused:
        event_for(current, target)
    assert (refused.value.current, refused.value.target) == (current, target)


def test_finished_jobs_never_run_again() -> None:
    for status in (S, F, C):
        assert not any(is_legal(status, target) for target in JobStatus)
    # A dead job moves only by a replay from the DLQ, back to the queue.
    assert [t for t in JobStatus if is_legal(D, t)] == [Q]
    assert {S, F, D, C} == TERMINAL
    assert {Q, R} == ACTIVE


def test_sources_are_the_expected_values_of_a_compare_and_set() -> None:
    assert sources(R) == {Q, R}
    assert sources(C) == {Q}
    assert sources(Q) == {R, D}
    assert sources(S) == {R}


@pytest.mark.parametrize(
    ("outcome", "attempt", "max_attempts", "delay", "expected"),
    [
        ("succeeded", 1, 3, None, S),
        ("succeeded", 3, 3, 1.0, S),
        ("failed", 1, 3, 1.0, F),
        ("retryable", 1, 3, 0.5, Q),
        ("retryable", 2, 3, 0.0, Q),
        ("retryable", 3, 3, 0.5, D),  # the last attempt: the DLQ
        ("retryable", 1, 3, None, D),  # the policy (or the deadline) allows no more
        ("retryable", 1, 1, 0.5, D),
    ],
)
def test_after_an_attempt(
    outcome: str, attempt: int, max_attempts: int, delay: float | None, expected: JobStatus
) -> None:
    status = after_attempt(outcome, attempt=attempt, max_attempts=max_attempts, retry_delay_s=delay)
    assert status is expected
    assert is_legal(R, status)


def test_an_unknown_outcome_is_a_bug() -> None:
    with pytest.raises(ValueError, match="unknown attempt outcome"):
        after_attempt("maybe", attempt=1, max_attempts=3, retry_delay_s=1.0)


def test_only_the_dlq_is_replayable() -> None:
    assert {D} == REPLAYABLE
    assert all(event_for(status, Q) == "job.replayed" for status in REPLAYABLE)


def test_a_replay_adds_a_fresh_budget_after_the_attempts_already_made() -> None:
    # Dead after 3 of 3: a budget of 4 more makes attempts 4 to 7, the last one dead.
    max_attempts = replayed_max_attempts(3, 4)
    assert max_attempts == 7
    assert after_attempt("retryable", attempt=6, max_attempts=7, retry_delay_s=0.5) is Q
    assert after_attempt("retryable", attempt=7, max_attempts=7, retry_delay_s=0.5) is D
    # A job that died early (the deadline allowed no retry) keeps its numbering too.
    assert replayed_max_attempts(1, 3) == 4
    with pytest.raises(ValueError, match="at least one attempt"):
        replayed_max_attempts(3, 0)


@pytest.mark.parametrize(
    ("attempt", "before", "expected"),
    [(1, 0, 1), (3, 0, 3), (4, 3, 1), (7, 3, 4), (9, 8, 1)],
)
def test_the_retry_policy_counts_attempts_from_the_latest_replay(
    attempt: int, before: int, expected: int
) -> None:
    assert attempt_in_run(attempt, before) == expected
