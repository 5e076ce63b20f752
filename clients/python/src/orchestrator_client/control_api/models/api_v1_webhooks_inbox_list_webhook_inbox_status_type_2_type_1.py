from enum import StrEnum


class ApiV1WebhooksInboxListWebhookInboxStatusType2Type1(StrEnum):
    FAILED = "failed"
    IGNORED = "ignored"
    RECEIVED = "received"
    ROUTED = "routed"
    UNROUTED = "unrouted"

    def __str__(self) -> str:
        return str(self.value)
