from enum import StrEnum


class ApiV1JobsListJobsStatusType2Type1(StrEnum):
    CANCELLED = "cancelled"
    DEAD = "dead"
    FAILED = "failed"
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"

    def __str__(self) -> str:
        return str(self.value)
