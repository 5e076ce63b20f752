"""The identity domain's tables; importing this package registers them."""

# Registers organizations and workspaces, which our foreign keys name, whoever loads us first.
from orchestrator.core import models as platform_tables  # noqa: F401
from orchestrator.core.identity.models.operator import Operator
from orchestrator.core.identity.models.platform_operator import PlatformOperator
from orchestrator.core.identity.models.service_identity import ServiceIdentity

__all__ = ["Operator", "PlatformOperator", "ServiceIdentity"]
