from enum import StrEnum


class BreakerPolicyWindow(StrEnum):
    COUNT = "count"
    TIME = "time"

    def __str__(self) -> str:
        return str(self.value)
