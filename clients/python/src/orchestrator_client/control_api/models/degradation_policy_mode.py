from enum import StrEnum


class DegradationPolicyMode(StrEnum):
    FAIL_FAST = "fail_fast"
    QUEUE = "queue"

    def __str__(self) -> str:
        return str(self.value)
