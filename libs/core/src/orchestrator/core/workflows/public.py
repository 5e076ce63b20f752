"""What other domains may use of the workflows domain: its table, the names a step or a
schedule may target, and starting a run.

The only module of this domain that another domain may import (`.importlinter`, ADR 0072).
"""

from orchestrator.core.workflows.known import KnownNames
from orchestrator.core.workflows.models import Workflow, WorkflowRun
from orchestrator.core.workflows.runs import start_run

__all__ = ["KnownNames", "Workflow", "WorkflowRun", "start_run"]
