"""The configuration domain's tables; importing this package registers them."""

# Registers organizations and workspaces, which our foreign keys name, whoever loads us first.
from orchestrator.core import models as platform_tables  # noqa: F401
from orchestrator.core.configuration.models.config import Config
from orchestrator.core.configuration.models.config_version import ConfigVersion
from orchestrator.core.configuration.models.policy import Policy
from orchestrator.core.configuration.models.tenant_quota import TenantQuotaRow

__all__ = ["Config", "ConfigVersion", "Policy", "TenantQuotaRow"]
