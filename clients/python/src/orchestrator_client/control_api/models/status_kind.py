from enum import StrEnum


class StatusKind(StrEnum):
    BREAKER_CLOSED = "breaker_closed"
    BREAKER_OPEN = "breaker_open"
    CONFIG_ACTIVATED = "config_activated"
    CONFIG_ROLLED_BACK = "config_rolled_back"
    DLQ_GROWING = "dlq_growing"
    SUMMARY = "summary"

    def __str__(self) -> str:
        return str(self.value)
