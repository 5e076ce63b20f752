from enum import StrEnum


class ChannelEventType(StrEnum):
    ACTION = "action"
    CLOSED = "closed"
    PRESENCE = "presence"
    SNAPSHOT = "snapshot"
    STATUS = "status"

    def __str__(self) -> str:
        return str(self.value)
