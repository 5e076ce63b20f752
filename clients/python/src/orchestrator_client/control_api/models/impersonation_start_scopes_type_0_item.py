from enum import StrEnum


class ImpersonationStartScopesType0Item(StrEnum):
    EVENTSREAD = "events:read"
    EXECUTE = "execute"
    JOBSREAD = "jobs:read"
    JOBSWRITE = "jobs:write"

    def __str__(self) -> str:
        return str(self.value)
