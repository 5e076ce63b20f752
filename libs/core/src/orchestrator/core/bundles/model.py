"""The shape of a workspace bundle, exported and imported whole.

``{"tenant": {…}, "policies": […], "secret_refs": […], "connectors": […], "configs": […],
"workflows": […], "schedules": […], "webhook_sources": […]}``; a bundle without
``workflows``, ``schedules`` or ``webhook_sources`` (made before bundles carried them)
leaves the workspace's own alone.
Members are typed only as JSON kinds here: names, specs, refs, connector configs and
webhook sources are checked by ``bundle_check`` so that one response lists every error.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal, TypeVar

import msgspec

from orchestrator.core.webhooks.models.webhook_source import DEFAULT_MAX_BODY_BYTES

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


class BundleWebhookBinding(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A binding, as ``POST /api/v1/webhooks/sources/{id}/bindings`` takes it (a job's
    connector by name). A binding has no name: a source's bindings are matched by their
    content, so an edited binding is a new one, as the API replaces one by a new one."""

    action: str
    event_types: list[str] = msgspec.field(default_factory=list)
    connector: str | None = None
    operation: str | None = None
    payload_mapping: dict[str, str] | None = None
    forward_url: str | None = None
    enabled: bool = True


class BundleWebhookSource(_Closed, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A webhook source, as ``POST /api/v1/webhooks/sources`` takes it (secret refs by name,
    never values), with its bindings: the source's whole list of them."""

    name: str
    id: uuid.UUID | None = None
    """Its ingress identity (``/webhooks/{id}``), never compared: a source found by name
    keeps its own. A missing source is created at this id only when the bundle is the
    workspace's own (``tenant.id``, or a version of it), so a rollback restoring a deleted
    source restores its URL; elsewhere it gets a new id (and its provider a new URL)."""
    provider: str
    secret_refs: list[str]
    options: dict[str, Any] | None = None
    routing: dict[str, list[str]] = msgspec.field(default_factory=dict)
    rate_limit_per_s: int | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    enabled: bool = True
    bindings: list[BundleWebhookBinding] = msgspec.field(default_factory=list)


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
    webhook_sources: list[BundleWebhookSource] | None = None
    """``None`` (absent): the workspace's webhook sources and bindings are left alone, even
    by a prune."""


Kind = Literal[
    "policy",
    "secret_ref",
    "connector",
    "config",
    "quota",
    "workflow",
    "schedule",
    "webhook_source",
    "webhook_binding",
]


class BundleChange(msgspec.Struct, frozen=True, kw_only=True):
    """One item an import creates, updates or (``?prune=true``) deletes, and which of its
    members differ (for a delete, every member of the item removed). A webhook binding is
    named by its source, and only created or deleted."""

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
