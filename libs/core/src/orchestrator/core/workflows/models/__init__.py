"""The workflows domain's tables; importing this package registers them all."""

from orchestrator.core.workflows.models.workflow import Workflow, WorkflowRun

__all__ = ["Workflow", "WorkflowRun"]
