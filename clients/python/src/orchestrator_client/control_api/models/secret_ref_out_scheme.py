from enum import StrEnum


class SecretRefOutScheme(StrEnum):
    DB = "db"
    ENV = "env"
    UNKNOWN = "unknown"
    VAULT = "vault"

    def __str__(self) -> str:
        return str(self.value)
