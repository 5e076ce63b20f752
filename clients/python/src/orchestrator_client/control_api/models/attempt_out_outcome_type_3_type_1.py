from enum import StrEnum


class AttemptOutOutcomeType3Type1(StrEnum):
    FAILED = "failed"
    LOST = "lost"
    RETRYABLE = "retryable"
    SUCCEEDED = "succeeded"

    def __str__(self) -> str:
        return str(self.value)
