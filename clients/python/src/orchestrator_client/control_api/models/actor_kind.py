from enum import StrEnum


class ActorKind(StrEnum):
    GUEST = "guest"
    OPERATOR = "operator"
    SYSTEM = "system"

    def __str__(self) -> str:
        return str(self.value)
