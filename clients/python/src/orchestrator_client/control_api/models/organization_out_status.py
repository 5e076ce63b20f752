from enum import StrEnum


class OrganizationOutStatus(StrEnum):
    COMMITTED = "COMMITTED"
    DELETED = "DELETED"
    DELETING = "DELETING"
    FAILED = "FAILED"
    PENDING = "PENDING"

    def __str__(self) -> str:
        return str(self.value)
