"""The callbacks domain's table; importing this package registers them."""

# Registers organizations and workspaces, which our foreign keys name, whoever loads us first.
from orchestrator.core import models as platform_tables  # noqa: F401
from orchestrator.core.callbacks.models.workspace_secret import WorkspaceSecret

__all__ = ["WorkspaceSecret"]
