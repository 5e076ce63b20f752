from enum import StrEnum


class InboxEntryDetailStatus(StrEnum):
    FAILED = "failed"
    IGNORED = "ignored"
    RECEIVED = "received"
    ROUTED = "routed"
    UNROUTED = "unrouted"

    def __str__(self) -> str:
        return str(self.value)
