"""What the identity areas (operators, service identities) share: the headers of a response
that shows a secret, and ending a subject's tokens after its change commits."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Final, Generic, Protocol, TypedDict, TypeVar

from litestar import Request
from loguru import logger
from redis.exceptions import RedisError

from orchestrator.core.auth import revocation
from orchestrator.core.auth.claims import Principal
from orchestrator.core.auth.revocation import SubjectRevocation
from orchestrator.core.auth.subjects import revocation_horizon_s
from orchestrator.core.runtime import Resources

T = TypeVar("T")
S = TypeVar("S")


class Client(Protocol):
    """What an operator and a service identity both are: a client that can be switched off."""

    client_id: str
    disabled_at: dt.datetime | None


class Secret(TypedDict):
    """The fields of a credentials response that name the client and show its secret."""

    client_id: str
    client_secret: str


class Revoking(Protocol):
    """A change that may have revoked a subject (``Issued``, ``Changed``)."""

    @property
    def revoked(self) -> SubjectRevocation | None:
        """The revocation to announce once the change commits, if it made one."""
        ...


C = TypeVar("C", bound=Client)
D = TypeVar("D", bound=Revoking)

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


async def announce_token(resources: Resources, jti: str, expires_at: int) -> None:
    """After the revocation of one token (``jti``) commits: tell every service, and apply
    it here at once. A rollback must never announce a revocation that did not happen."""
    try:
        await revocation.announce(
            resources.redis, resources.settings.redis.namespace, jti=jti, expires_at=expires_at
        )
    except RedisError as exc:  # every service's reconcile poll picks the row up anyway
        logger.warning("revocation of {} not announced: {}", jti, exc)
    resources.denylist.add(jti, expires_at)


@dataclass(frozen=True)
class Issued(Generic[T]):
    """An operator or service identity and the only copy of its new secret (and the
    revocation to announce once it commits, when the secret replaced one)."""

    row: T
    client_secret: str
    revoked: SubjectRevocation | None = None

    def secret(self: Issued[C]) -> Secret:
        """The client id and the new secret, as a credentials response shows them."""
        return Secret(client_id=self.row.client_id, client_secret=self.client_secret)


@dataclass(frozen=True)
class Changed(Generic[T]):
    """An operator or service identity after a change, and the revocation to announce
    once it commits."""

    row: T
    revoked: SubjectRevocation | None


@dataclass(frozen=True)
class Announcing(Generic[S]):
    """A request's change to an identity, made by ``principal`` in ``transaction``; the
    revocation it makes is announced only once that commits, never what a rollback undid."""

    request: Request[Any, Any, Any]
    principal: Principal
    transaction: AbstractAsyncContextManager[S]

    async def __call__(self, change: Callable[..., Awaitable[D]], *args: Any, **kwargs: Any) -> D:
        """``change(scope, *args, **kwargs, horizon_s=…)`` in the transaction, then announce."""
        resources: Resources = self.request.app.state.resources
        async with self.transaction as scope:
            done = await change(scope, *args, **kwargs, horizon_s=horizon_s(resources))
        await announce(resources, done.revoked)
        return done
