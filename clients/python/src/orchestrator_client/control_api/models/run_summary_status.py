from enum import StrEnum


class RunSummaryStatus(StrEnum):
    COMPENSATED = "compensated"
    COMPENSATING = "compensating"
    COMPENSATION_FAILED = "compensation_failed"
    FAILED = "failed"
    RUNNING = "running"
    SUCCEEDED = "succeeded"

    def __str__(self) -> str:
        return str(self.value)
