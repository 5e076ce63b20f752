"""What other domains may use of the identity domain: its tables.

The only module of this domain that another domain may import (`.importlinter`, ADR 0072).
"""

from orchestrator.core.identity.models import Operator, PlatformOperator, ServiceIdentity

__all__ = ["Operator", "PlatformOperator", "ServiceIdentity"]
