from enum import StrEnum


class BundleChangeKind(StrEnum):
    CONFIG = "config"
    CONNECTOR = "connector"
    POLICY = "policy"
    QUOTA = "quota"
    SCHEDULE = "schedule"
    SECRET_REF = "secret_ref"
    WEBHOOK_BINDING = "webhook_binding"
    WEBHOOK_SOURCE = "webhook_source"
    WORKFLOW = "workflow"

    def __str__(self) -> str:
        return str(self.value)
