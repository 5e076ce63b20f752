from enum import StrEnum


class OperatorRole(StrEnum):
    BILLINGADMIN = "BillingAdmin"
    BREAKGLASSADMIN = "BreakGlassAdmin"
    OPERATORADMIN = "OperatorAdmin"
    READONLYAUDITOR = "ReadOnlyAuditor"
    SUPPORT = "Support"

    def __str__(self) -> str:
        return str(self.value)
