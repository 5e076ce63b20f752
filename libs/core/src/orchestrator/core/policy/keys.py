"""Redis key layout of the policy gate.

``<namespace>:{<tenant id>}:<kind>[:<connector>:<operation>]``: the braces are a Redis
Cluster hash tag, so every key one call touches lives on the tenant's slot and one
script can use them all.
"""

from __future__ import annotations

import uuid
from typing import NamedTuple


class CallKey(NamedTuple):
    """What a policy applies to: one tenant calling one connector operation."""

    tenant_id: uuid.UUID
    connector: str
    operation: str


class GateKeys(NamedTuple):
    """The seven keys of one call, in the order ``scripts/gate.lua`` expects them."""

    tenant_rps: str
    tenant_leases: str
    rate_limit: str
    breaker: str
    breaker_window: str
    breaker_probes: str
    usage: str


def gate_namespace(namespace: str) -> str:
    """The gate's namespace under a deployment's Redis namespace."""
    return f"{namespace}:gate"


def usage_key(namespace: str, tenant_id: uuid.UUID) -> str:
    """The hash counting a tenant's calls against its monthly budget."""
    return f"{namespace}:{{{tenant_id}}}:usage"


def gate_keys(namespace: str, key: CallKey) -> GateKeys:
    """The keys of ``key`` under ``namespace`` (which must not contain braces)."""
    tenant = f"{namespace}:{{{key.tenant_id}}}"
    operation = f"{key.connector}:{key.operation}"
    return GateKeys(
        f"{tenant}:rps",
        f"{tenant}:leases",
        f"{tenant}:rl:{operation}",
        f"{tenant}:br:{operation}",
        f"{tenant}:bw:{operation}",
        f"{tenant}:bp:{operation}",
        usage_key(namespace, key.tenant_id),
    )
