"""What other domains may use of the configuration domain: its tables, the audited mutation,
field validation, content views and the reads the execution plane and other writers need.

The only module of this domain that another domain may import (`.importlinter`, ADR 0072).
"""

from orchestrator.core.configuration.models import Config, ConfigVersion, Policy, TenantQuotaRow
from orchestrator.core.configuration.mutation import Mutation, audit_change, flush_or_conflict
from orchestrator.core.configuration.repository import (
    connector_by_name,
    connector_with_policy,
    existing_secret_ref_names,
    tenant_quota,
)
from orchestrator.core.configuration.validation import (
    NAME_MAX,
    NAME_PATTERN,
    FieldErrors,
    Name,
    at,
    convert,
    nul_errors,
    raise_if,
    to_json_value,
)
from orchestrator.core.configuration.views import View

__all__ = [
    "NAME_MAX",
    "NAME_PATTERN",
    "Config",
    "ConfigVersion",
    "FieldErrors",
    "Mutation",
    "Name",
    "Policy",
    "TenantQuotaRow",
    "View",
    "at",
    "audit_change",
    "connector_by_name",
    "connector_with_policy",
    "convert",
    "existing_secret_ref_names",
    "flush_or_conflict",
    "nul_errors",
    "raise_if",
    "tenant_quota",
    "to_json_value",
]
