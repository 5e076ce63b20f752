"""The jobs domain's tables; importing this package registers them all."""

# Registers organizations and workspaces, which our foreign keys name, whoever loads us first.
from orchestrator.core import models as platform_tables  # noqa: F401
from orchestrator.core.jobs.models.job import Job
from orchestrator.core.jobs.models.job_run import JobRun

__all__ = ["Job", "JobRun"]
