"""What other domains may use of the tenancy domain: a workspace by id. Its tables,
organizations and workspaces, are the platform's (`core/models/`): every tenant table's
foreign keys name them.

The only module of this domain that another domain may import (`.importlinter`, ADR 0072).
"""

from orchestrator.core.tenancy.repository import get_workspace

__all__ = ["get_workspace"]
