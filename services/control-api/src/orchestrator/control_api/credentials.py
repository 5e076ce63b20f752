"""What the identity areas (operators, service identities) share: the headers of a response
that shows a secret, and ending a subject's tokens after its change commits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

from loguru import logger
from redis.exceptions import RedisError

from orchestrator.core.auth import revocation
from orchestrator.core.auth.revocation import SubjectRevocation
from orchestrator.core.auth.subjects import revocation_horizon_s
from orchestrator.core.runtime import Resources

T = TypeVar("T")

NO_STORE: Final = {"Cache-Control": "no-store", "Pragma": "no-cache"}
"""A response that shows a secret is never cached."""


def horizon_s(resources: Resources) -> int:
    """How long a subject revocation must be kept (ADR 0045)."""
    auth = resources.settings.auth
    return revocation_horizon_s(auth.token_ttl_s, auth.leeway_s)


def revoked_view(view: dict[str, Any], revoked: SubjectRevocation | None) -> dict[str, Any]:
    """An identity's audited view after a change, with when its tokens were cut off (if
    the change revoked them)."""
    if revoked is None:
        return view
    return {**view, "tokens_revoked_before": revoked.revoked_before.isoformat()}


async def announce(resources: Resources, revoked: SubjectRevocation | None) -> None:
    """After commit: tell every service, and apply it here at once."""
    if revoked is None:
        return
    try:
        await revocation.announce_subject(
            resources.redis, resources.settings.redis.namespace, revoked
        )
    except RedisError as exc:  # every service's reconcile poll picks the row up anyway
        logger.warning("revocation of {} not announced: {}", revoked.subject, exc)
    revocation.apply_locally(resources.denylist, revoked)


@dataclass(frozen=True)
class Issued(Generic[T]):
    """An operator or service identity and the only copy of its new secret (and the
    revocation to announce once it commits, when the secret replaced one)."""

    row: T
    client_secret: str
    revoked: SubjectRevocation | None = None


@dataclass(frozen=True)
class Changed(Generic[T]):
    """An operator or service identity after a change, and the revocation to announce
    once it commits."""

    row: T
    revoked: SubjectRevocation | None
