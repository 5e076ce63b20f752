"""Settings of the worker, read once per process."""

from __future__ import annotations

from typing import ClassVar

import msgspec

from orchestrator.core.settings import CoreSettings, GroupedSettings, HttpSettings, SettingsGroup


class WorkerHttp(HttpSettings, frozen=True, kw_only=True):
    """Where the worker serves /health, /ready and /metrics (``ORCH_WORKER_PORT``)."""

    prefix: ClassVar[str] = "ORCH_WORKER_"
    port: int = 4004
    threads: int = 8
    retention_interval_s: float = 300.0
    depth_interval_s: float = 5.0
    """Scrapes of /metrics closer together than this share one read of the queue depths."""
    broker_heartbeat_timeout_s: float = 5.0
    """A worker process silent on the broker this long is taken for dead, and the messages it
    had fetched but not acknowledged go back to their queue (ADR 0081). A live one heartbeats
    every ``dead_worker_scan_s``."""
    stop_grace_s: float = 100.0
    """On SIGTERM, running jobs have this long to finish; the rest are handed back to other
    workers at once (the chart gives the pod 120 s: keep this below)."""
    dead_worker_scan_s: float = 1.0
    """How often each worker heartbeats and looks for dead workers (``dead_workers.py``)."""
    broker_maintenance_chance: float = 0.001
    """Share of broker commands on which Dramatiq itself also requeues a dead worker's messages
    of that command's queue, and expires dead-lettered ones (its default: 1 in 1,000)."""


class JobsSettings(SettingsGroup, frozen=True, kw_only=True):
    """Jobs, the outbox relay and callbacks (``ORCH_JOBS_*``)."""

    prefix: ClassVar[str] = "ORCH_JOBS_"
    lease_s: float = 6.0
    """How long a claim holds its job unrenewed. A live worker renews it every third of this
    while the attempt runs, so a worker that dies gives its jobs up within this (ADR 0081)."""
    relay: bool = True
    """Run an outbox relay in this worker process."""
    relay_batch: int = 500
    relay_poll_s: float = 0.25
    relay_linger_s: float = 0.005
    """After a wake-up under load (the previous pass found several rows), the relay waits
    this long for more rows before publishing a batch: fuller batches (≈ +10 % jobs/s one a
    request) for ≈ 3 ms more dispatch. A lone row goes out at once (ADR 0091)."""
    relay_visibility_s: float = 30.0
    scheduler: bool = True
    """Run a cron scheduler in this worker process (ADR 0048)."""
    scheduler_poll_s: float = 1.0
    """How often the scheduler looks for due schedules (the least lag it can promise)."""
    sweep_grace_s: float = 120.0
    """A queued job this overdue, or a lease this long expired, is dispatched again."""
    outbox_keep_s: float = 3600.0
    """Published outbox rows are deleted after this long."""
    events_keep_s: float = 7 * 24 * 3600.0
    """Events are deleted after this long; a reader resuming from a purged cursor gets 410."""
    finished_jobs_keep_s: float = 30 * 24 * 3600.0
    """Jobs that succeeded, failed or were cancelled are deleted (with their runs) after this
    long; dead jobs stay until replayed or purged."""
    webhook_inbox_keep_s: float = 30 * 24 * 3600.0
    """Processed webhook events and finished forwards are deleted after this long (a
    provider resending an event after that is taken as new: keep it past their retries)."""
    versions_keep: int = 100
    """A workspace's newest configuration versions, always kept."""
    versions_keep_s: float = 90 * 24 * 3600.0
    """Older configuration versions are deleted after this long (never the active one, nor
    the one a rollback returns to)."""
    callback_max_attempts: int = 8


class DeprovisionSettings(SettingsGroup, frozen=True, kw_only=True):
    """Deletions of workspaces and organizations (``ORCH_DEPROVISION_*``, ADR 0100)."""

    prefix: ClassVar[str] = "ORCH_DEPROVISION_"
    enabled: bool = True
    """Run deletions in this worker process."""
    poll_s: float = 1.0
    """How often an idle worker looks for a deletion to run or resume."""
    batch: int = 1000
    """Rows deleted a statement (each batch its own transaction)."""
    lease_s: float = 60.0
    """How long a worker holds a deletion unrenewed (renewed each batch): one that dies
    leaves it to another within this."""
    batch_pause_s: float = 0.0
    """A pause after each batch: 0 in production; tests set it to kill a worker
    mid-delete."""


class Settings(GroupedSettings, frozen=True, kw_only=True):
    """Everything the worker reads."""

    core: CoreSettings
    worker: WorkerHttp
    jobs: JobsSettings = msgspec.field(default_factory=JobsSettings)
    deprovision: DeprovisionSettings = msgspec.field(default_factory=DeprovisionSettings)


get_settings = Settings.current
