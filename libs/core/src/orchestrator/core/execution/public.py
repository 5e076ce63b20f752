"""What other domains may use of the execution domain: the connector plan a submission checks
against.

The only module of this domain that another domain may import (`.importlinter`, ADR 0072).
"""

from orchestrator.core.execution.plans import ConnectorPlan

__all__ = ["ConnectorPlan"]
