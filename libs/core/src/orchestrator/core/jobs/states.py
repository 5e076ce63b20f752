"""The job lifecycle as a pure transition table.

Every change of a job's ``status`` is one of these transitions, applied in the
database as a compare-and-set (``UPDATE … WHERE status = :expected``), so a
redelivered message or a second worker can never move a job twice.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping


class JobStatus(enum.StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    DEAD = "dead"
    CANCELLED = "cancelled"


TERMINAL = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.DEAD, JobStatus.CANCELLED})
ACTIVE = frozenset({JobStatus.QUEUED, JobStatus.RUNNING})
"""Statuses that count against the tenant's queue-depth quota."""


class IllegalTransition(ValueError):
    """A status change the lifecycle does not allow."""

    def __init__(self, current: JobStatus, target: JobStatus) -> None:
        super().__init__(f"a job cannot go from {current.value} to {target.value}")
        self.current = current
        self.target = target


TRANSITIONS: Mapping[tuple[JobStatus, JobStatus], str] = {
    # (from, to): the event appended to the event log when it happens.
    (JobStatus.QUEUED, JobStatus.RUNNING): "job.running",  # claimed by a worker
    (JobStatus.QUEUED, JobStatus.CANCELLED): "job.cancelled",  # cancelled before it ran
    (JobStatus.RUNNING, JobStatus.RUNNING): "job.running",  # re-claimed after its lease expired
    (JobStatus.RUNNING, JobStatus.SUCCEEDED): "job.succeeded",
    (JobStatus.RUNNING, JobStatus.FAILED): "job.failed",  # a non-retryable failure
    (JobStatus.RUNNING, JobStatus.QUEUED): "job.retry_scheduled",  # retryable, attempts remain
    (JobStatus.RUNNING, JobStatus.DEAD): "job.dead",  # retries exhausted: the DLQ
    (JobStatus.DEAD, JobStatus.QUEUED): "job.replayed",  # replayed from the DLQ
}
"""Every legal transition. Creation is not a transition: a new job starts ``queued``
(event ``job.queued``)."""

CREATED_EVENT = "job.queued"


def event_for(current: JobStatus, target: JobStatus) -> str:
    """The event type of a legal transition; ``IllegalTransition`` otherwise."""
    try:
        return TRANSITIONS[(current, target)]
    except KeyError:
        raise IllegalTransition(current, target) from None


def is_legal(current: JobStatus, target: JobStatus) -> bool:
    """Whether the lifecycle allows going from ``current`` to ``target``."""
    return (current, target) in TRANSITIONS


def sources(target: JobStatus) -> frozenset[JobStatus]:
    """Statuses a job may be in for a move to ``target`` (the CAS's expected values)."""
    return frozenset(current for current, to in TRANSITIONS if to is target)


REPLAYABLE = frozenset(status for status in sources(JobStatus.QUEUED) if status in TERMINAL)
"""Statuses a replay takes back to the queue: the DLQ (``dead``). A cancelled job was
stopped on purpose and a failed one was refused by the upstream; neither is replayed."""


def replayed_max_attempts(attempts: int, budget: int) -> int:
    """``max_attempts`` of a job replayed after ``attempts`` attempts with a fresh ``budget``.

    Attempt numbers keep counting after a replay (every attempt keeps its ``job_runs``
    row, and the worker's compare-and-set names the attempt), so the new budget is added
    to what was spent.
    """
    if budget < 1:
        raise ValueError("a replay needs a budget of at least one attempt")
    return attempts + budget


def attempt_in_run(attempt: int, attempts_before_replay: int) -> int:
    """The number of attempt ``attempt`` within the job's current run (since its latest
    replay): what its retry policy's budget and backoff count."""
    return attempt - attempts_before_replay


def after_attempt(
    outcome: str, *, attempt: int, max_attempts: int, retry_delay_s: float | None
) -> JobStatus:
    """Where a running job goes after an attempt with ``outcome``.

    ``retry_delay_s`` is None when the retry policy (or the deadline) allows no
    further attempt; a retryable outcome then ends the job ``dead``, as does one
    on the last attempt.
    """
    if outcome == "succeeded":
        return JobStatus.SUCCEEDED
    if outcome == "failed":
        return JobStatus.FAILED
    if outcome != "retryable":
        raise ValueError(f"unknown attempt outcome {outcome!r}")
    if retry_delay_s is None or attempt >= max_attempts:
        return JobStatus.DEAD
    return JobStatus.QUEUED
