"""The workflows domain's tables; importing this package registers them all."""

# Registers organizations and workspaces, which our foreign keys name, whoever loads us first.
from orchestrator.core import models as platform_tables  # noqa: F401
from orchestrator.core.workflows.models.workflow import Workflow, WorkflowRun

__all__ = ["Workflow", "WorkflowRun"]
