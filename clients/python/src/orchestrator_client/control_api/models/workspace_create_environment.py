from enum import StrEnum


class WorkspaceCreateEnvironment(StrEnum):
    DEV = "dev"
    PROD = "prod"

    def __str__(self) -> str:
        return str(self.value)
