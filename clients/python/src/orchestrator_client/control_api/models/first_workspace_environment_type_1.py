from enum import StrEnum


class FirstWorkspaceEnvironmentType1(StrEnum):
    DEV = "dev"
    PROD = "prod"

    def __str__(self) -> str:
        return str(self.value)
