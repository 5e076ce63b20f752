from enum import StrEnum


class InboxEntryOutStatus(StrEnum):
    FAILED = "failed"
    IGNORED = "ignored"
    RECEIVED = "received"
    ROUTED = "routed"
    UNROUTED = "unrouted"

    def __str__(self) -> str:
        return str(self.value)
