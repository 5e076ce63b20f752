"""What other domains may use of the jobs domain: its tables and states, submission,
one job's read (its payload and output wherever they are kept), the job cursor and the
clipping of stored values.

The only module of this domain that another domain may import (`.importlinter`, ADR 0072).
"""

from orchestrator.core.jobs.column_values import clip
from orchestrator.core.jobs.cursor import JobCursor
from orchestrator.core.jobs.models import Job, JobRun
from orchestrator.core.jobs.single_job_queries import get_job
from orchestrator.core.jobs.states import TERMINAL, JobStatus
from orchestrator.core.jobs.stored_values import job_output, job_payload
from orchestrator.core.jobs.submission import NewJob, check_new_job, check_payload, submit_many

__all__ = [
    "TERMINAL",
    "Job",
    "JobCursor",
    "JobRun",
    "JobStatus",
    "NewJob",
    "check_new_job",
    "check_payload",
    "clip",
    "get_job",
    "job_output",
    "job_payload",
    "submit_many",
]
