"""The jobs domain's tables; importing this package registers them all."""

from orchestrator.core.jobs.models.job import Job
from orchestrator.core.jobs.models.job_run import JobRun

__all__ = ["Job", "JobRun"]
