from enum import StrEnum


class WorkspaceOutStatus(StrEnum):
    COMMITTED = "COMMITTED"
    DELETING = "DELETING"
    FAILED = "FAILED"
    PENDING = "PENDING"

    def __str__(self) -> str:
        return str(self.value)
