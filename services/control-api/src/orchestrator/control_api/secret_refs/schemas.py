"""Request and response shapes of the secret refs area; no shape ever carries a value out."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from orchestrator.control_api.fields import Name
from orchestrator.control_api.views import page_schema
from orchestrator.core.secrets.refs import REF_PATTERN

Ref = Annotated[
    str,
    msgspec.Meta(
        min_length=5,
        max_length=500,
        pattern=REF_PATTERN,
        extra_json_schema={
            "description": "`env://NAME` (a variable of the executing process's environment "
            "whose name starts with the deployment's tenant prefix, by default "
            "`ORCH_TENANT_SECRET_`; any other name is refused with 422), "
            "`db://` (the value is stored here, encrypted; set it with PUT …/value) or "
            "`vault://path#field` (a field of a Vault KV v2 secret under the workspace's "
            "prefix). See docs/secrets.md."
        },
    ),
]


class SecretRefCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A new secret ref."""

    name: Name
    ref: Ref


class SecretRefReplace(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Where the secret lives now; leaving ``db://`` discards the stored value."""

    ref: Ref


class SecretValue(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The value of a ``db://`` ref: stored encrypted, never returned."""

    value: Annotated[str, msgspec.Meta(min_length=1, max_length=16_384)]


class SecretRefOut(msgspec.Struct, frozen=True, kw_only=True):
    """A secret ref: whether a value is stored, never the value."""

    name: str
    ref: str
    scheme: Annotated[
        Literal["env", "db", "vault", "unknown"],
        msgspec.Meta(
            description="`unknown`: a ref stored under older rules that names no scheme "
            "this version knows; replace it."
        ),
    ]
    has_value: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


SecretRefList = page_schema(
    SecretRefOut,
    "A page of the workspace's secret refs, by name",
)
