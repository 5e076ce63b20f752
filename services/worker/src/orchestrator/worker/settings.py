"""Settings of the worker, read once per process."""

from __future__ import annotations

import functools
from typing import ClassVar

import msgspec

from orchestrator.core.settings import CoreSettings, HttpSettings


class WorkerHttp(HttpSettings, frozen=True, kw_only=True):
    """Where the worker serves /health, /ready and /metrics (``ORCH_WORKER_PORT``)."""

    prefix: ClassVar[str] = "ORCH_WORKER_"
    port: int = 4004
    threads: int = 8
    retention_interval_s: float = 300.0


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the worker reads."""

    core: CoreSettings
    worker: WorkerHttp


@functools.cache
def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    return Settings(core=CoreSettings.from_env(), worker=WorkerHttp.from_env())
