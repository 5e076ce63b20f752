"""``/api/v1/workflows``: list, read, create, replace and delete a workspace's workflows."""

from __future__ import annotations

import msgspec

from orchestrator.control_api.named import Named, named_controller
from orchestrator.control_api.workflows.schemas import (
    WorkflowCreate,
    WorkflowList,
    WorkflowOut,
    WorkflowReplace,
)
from orchestrator.core.workflows import service
from orchestrator.core.workflows.definition import Step


def to_steps(data: WorkflowReplace) -> list[Step]:
    """What the service checks and stores."""
    return msgspec.convert(msgspec.to_builtins(data.steps), list[Step])


WorkflowController = named_controller(
    "WorkflowController",
    "Workflows of one workspace (``?workspace=``, default the token's).",
    Named(
        "/api/v1/workflows",
        "workflow",
        (WorkflowOut, WorkflowList, WorkflowCreate, WorkflowReplace),
        create=(
            lambda w: service.create_workflow(w.ws.session, w.m, w.data.name, to_steps(w.data)),
            "Create a workflow; too few or many steps, a repeated step name, an unknown\n"
            "connector or operation, or a ``$ref`` that is malformed or points at a later step\n"
            "is a 422 naming each field.",
        ),
        replace=(
            lambda w, name: service.replace_workflow(w.ws.session, w.m, name, to_steps(w.data)),
            "Replace a workflow's steps; runs already started keep their definition.",
        ),
        get=(service.get_workflow, "One workflow."),
        delete=(service.delete_workflow, "Delete a workflow; runs already started finish."),
        list=(service.list_workflows, "The workspace's workflows by name; cursor-paginated."),
    ),
)
