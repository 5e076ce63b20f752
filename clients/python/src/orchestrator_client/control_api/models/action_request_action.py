from enum import StrEnum


class ActionRequestAction(StrEnum):
    ASK_STATUS = "ask_status"
    BLOCKED = "blocked"
    DEPLOYED = "deployed"
    READY = "ready"
    REVIEW = "review"
    TESTS_GREEN = "tests_green"
    THUMBS_DOWN = "thumbs_down"
    THUMBS_UP = "thumbs_up"
    VOTE = "vote"

    def __str__(self) -> str:
        return str(self.value)
