"""Canonical views of configuration rows: what is compared for changes, and what is audited.

A "content" view holds only what a client sets (no version, no timestamps), so two
equal contents mean "nothing to change". An audit view adds the version and never
holds a secret value: a secret ref shows only whether it has one.
"""

from __future__ import annotations

from typing import Any

import msgspec

from orchestrator.core.configuration.models import ConfigVersion, Policy, TenantQuotaRow
from orchestrator.core.connectors.public import Connector
from orchestrator.core.models import SecretRef
from orchestrator.core.policy.model import TenantQuota

View = dict[str, Any]


def policy_content(spec: dict[str, Any]) -> View:
    """What a policy write sets."""
    return {"spec": spec}


def connector_content(
    *,
    type: str,
    config: dict[str, Any],
    policy: str | None,
    secrets: dict[str, str],
    enabled: bool,
) -> View:
    """What a connector write sets (the policy by name)."""
    return {
        "type": type,
        "config": config,
        "policy": policy,
        "secrets": secrets,
        "enabled": enabled,
    }


def secret_ref_content(ref: str) -> View:
    """What a secret ref write sets (its value is set apart and never shown)."""
    return {"ref": ref}


def config_content(document: dict[str, Any]) -> View:
    """What a config write sets."""
    return {"document": document}


def quota_content(quota: TenantQuota) -> View:
    """What a quota write sets."""
    return msgspec.structs.asdict(quota)


def policy_view(row: Policy) -> View:
    """Audited shape of a policy."""
    return {"name": row.name, **policy_content(row.spec), "version": row.version}


def connector_of(row: Connector, policy: str | None) -> View:
    """Content of a stored connector."""
    return connector_content(
        type=row.type,
        config=row.config,
        policy=policy,
        secrets=row.secrets,
        enabled=row.enabled,
    )


def connector_view(row: Connector, policy: str | None) -> View:
    """Audited shape of a connector."""
    return {"name": row.name, **connector_of(row, policy), "version": row.version}


def secret_ref_view(row: SecretRef) -> View:
    """Audited shape of a secret ref: whether it holds a value, never the value."""
    return {
        "name": row.name,
        **secret_ref_content(row.ref),
        "has_value": row.sealed_value is not None,
        "version": row.version,
    }


def config_view(name: str, version: ConfigVersion) -> View:
    """Audited shape of a config's active version."""
    return {"name": name, **config_content(version.document), "version": version.version}


def quota_of(row: TenantQuotaRow | None) -> TenantQuota:
    """The quota a row holds (unlimited without one)."""
    if row is None:
        return TenantQuota()
    return TenantQuota(**{name: getattr(row, name) for name in TenantQuota.__struct_fields__})


def quota_view(row: TenantQuotaRow) -> View:
    """Audited shape of a tenant's quota."""
    return {**quota_content(quota_of(row)), "version": row.version}


def changed_fields(before: View | None, after: View) -> list[str]:
    """Top-level members that differ (every member when there was nothing before)."""
    if before is None:
        return sorted(after)
    return sorted(key for key in after if before.get(key) != after[key])
