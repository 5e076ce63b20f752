from enum import StrEnum


class WebhookBindingInAction(StrEnum):
    FORWARD = "forward"
    JOB = "job"

    def __str__(self) -> str:
        return str(self.value)
