"""Request and response shapes of the policies area."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import msgspec

from orchestrator.control_api.fields import Name
from orchestrator.control_api.views import page_schema
from orchestrator.core.policy.model import PolicySpec

Spec = Annotated[
    dict[str, Any],
    msgspec.Meta(
        extra_json_schema={
            "description": "A PolicySpec (its schema: PolicyOut.spec): `timeout`, `retry`, "
            "`breaker`, `rate_limit`, `degradation`; omitted members take their defaults. "
            "An invalid member is a 422 naming the field."
        }
    ),
]


class PolicyCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new policy."""

    name: Name
    spec: Spec = msgspec.field(default_factory=dict)


class PolicyReplace(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A policy's new spec."""

    spec: Spec


class PolicyOut(msgspec.Struct, frozen=True, kw_only=True):
    """A policy; ``spec`` is complete, with every default filled in."""

    name: str
    spec: PolicySpec
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


PolicyList = page_schema(
    PolicyOut,
    "A page of the workspace's policies, by name",
)
