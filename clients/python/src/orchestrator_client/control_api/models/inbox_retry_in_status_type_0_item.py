from enum import StrEnum


class InboxRetryInStatusType0Item(StrEnum):
    FAILED = "failed"
    IGNORED = "ignored"
    UNROUTED = "unrouted"

    def __str__(self) -> str:
        return str(self.value)
