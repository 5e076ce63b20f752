from enum import StrEnum


class DeletionOutStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"

    def __str__(self) -> str:
        return str(self.value)
