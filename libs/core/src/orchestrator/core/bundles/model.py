"""The shape of a workspace bundle, exported and imported whole.

``{"tenant": {…}, "policies": […], "secret_refs": […], "connectors": […], "configs": […],
"workflows": […], "schedules": […]}``; a bundle without ``workflows`` or ``schedules``
(made before bundles carried them) leaves the workspace's own alone.
Members are typed only as JSON kinds here: names, specs, refs and connector configs are
checked by ``bundle_check`` so that one response lists every error.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal, TypeVar

import msgspec

T = TypeVar("T")


class _Closed(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Closed: an unknown member is refused rather than silently dropped."""


class BundleTenant(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The workspace; on import only ``quotas`` is applied (the rest describes the source)."""

    id: uuid.UUID | None = None
    name: str | None = None
    environment: str | None = None
    quotas: dict[str, Any] | None = None
    """``{"rps", "concurrency", "queue_depth", "monthly_calls", "events_keep_days",
    "finished_jobs_keep_days", "webhook_inbox_keep_days", "versions_keep",
    "versions_keep_days"}``, each a positive integer or null
    (unlimited, or the deployment's retention)."""


class BundlePolicy(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A policy: its name and ``PolicySpec`` document."""

    name: str
    spec: dict[str, Any]


class BundleSecretRef(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A secret ref; values never travel in a bundle."""

    name: str
    ref: str


class BundleConnector(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A connector; ``policy`` and the values of ``secrets`` are names."""

    name: str
    type: str
    config: dict[str, Any] = msgspec.field(default_factory=dict)
    policy: str | None = None
    secrets: dict[str, str] = msgspec.field(default_factory=dict)
    enabled: bool = True


class BundleConfig(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A config: its name and active document."""

    name: str
    document: dict[str, Any]


class BundleWorkflow(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A workflow, as ``POST /api/v1/workflows`` takes it: its name and steps."""

    name: str
    steps: list[dict[str, Any]]


class BundleSchedule(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A schedule, as ``POST /api/v1/schedules`` takes it: a job (``connector`` and
    ``operation``) or a run of ``workflow``, and when."""

    name: str
    cron: str
    timezone: str = "UTC"
    connector: str | None = None
    operation: str | None = None
    workflow: str | None = None
    payload: Any = msgspec.field(default_factory=dict)
    callback_url: str | None = None
    enabled: bool = True


def item_input(item: msgspec.Struct, input_type: type[T]) -> T:
    """A bundle item as the single write takes it: the same members, less its name."""
    return msgspec.convert(item, input_type, from_attributes=True)


class Bundle(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A whole workspace's configuration."""

    tenant: BundleTenant = msgspec.field(default_factory=BundleTenant)
    policies: list[BundlePolicy] = msgspec.field(default_factory=list)
    secret_refs: list[BundleSecretRef] = msgspec.field(default_factory=list)
    connectors: list[BundleConnector] = msgspec.field(default_factory=list)
    configs: list[BundleConfig] = msgspec.field(default_factory=list)
    workflows: list[BundleWorkflow] | None = None
    """``None`` (absent): the workspace's workflows are left alone, even by a prune."""
    schedules: list[BundleSchedule] | None = None
    """``None`` (absent): the workspace's schedules are left alone, even by a prune."""


Kind = Literal["policy", "secret_ref", "connector", "config", "quota", "workflow", "schedule"]


class BundleChange(msgspec.Struct, frozen=True, kw_only=True):
    """One item an import creates, updates or (``?prune=true``) deletes, and which of its
    members differ (for a delete, every member of the item removed)."""

    kind: Kind
    name: str
    action: Literal["create", "update", "delete"]
    fields: list[str]


class ImportReport(msgspec.Struct, frozen=True, kw_only=True):
    """What an import changed, or (``dry_run``) would change."""

    dry_run: bool
    changed: int
    unchanged: int
    changes: list[BundleChange]
