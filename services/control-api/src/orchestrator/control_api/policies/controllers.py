"""``/api/v1/policies``: list, read, create, replace and delete a workspace's policies."""

from __future__ import annotations

from orchestrator.control_api.named import Named, named_controller
from orchestrator.control_api.policies.schemas import (
    PolicyCreate,
    PolicyList,
    PolicyOut,
    PolicyReplace,
)
from orchestrator.core.configuration import policies, repository

PolicyController = named_controller(
    "PolicyController",
    "Policies of one workspace (``?workspace=``, default the token's).",
    Named(
        "/api/v1/policies",
        "policy",
        (PolicyOut, PolicyList, PolicyCreate, PolicyReplace),
        create=(
            lambda w: policies.create_policy(w.ws.session, w.m, w.data.name, w.data.spec),
            "Create a policy; a spec that is not a valid PolicySpec is a 422 naming the field.",
        ),
        replace=(
            lambda w, name: policies.replace_policy(w.ws.session, w.m, name, w.data.spec),
            "Replace a policy's spec; the version goes up only when the spec changes.",
        ),
        get=(policies.get_policy, "One policy."),
        delete=(
            policies.delete_policy,
            "Delete a policy no connector uses (409 names the connectors that do).",
        ),
        list=(repository.list_policies, "The workspace's policies by name; cursor-paginated."),
    ),
)
