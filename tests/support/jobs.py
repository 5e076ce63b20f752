"""Support for the jobs-plane tests: connectors, tokens, an isolated database, SSE parsing.

Worker-side tests (claim, finish, relay) run against a database of their own: the
session's stack runs a worker whose outbox relay would otherwise publish, and run,
the rows these tests write.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import msgspec
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.auth import keys
from orchestrator.core.auth.claims import EXEC_AUDIENCE, EXEC_SCOPES
from orchestrator.core.configuration.models import Policy
from orchestrator.core.connectors.models import Connector
from orchestrator.core.crypto.envelope import KeyEncryptionKey
from orchestrator.core.db.tenant import set_tenant
from orchestrator.core.policy.model import PolicySpec, RetryPolicy
from orchestrator.core.settings import CoreSettings
from orchestrator.core.tenancy.service import BootstrapResult
from tests.support.factories import fetch_token, forge, now
from tests.support.stack import Stack


def libpq(url: str) -> str:
    """A URL psycopg accepts (no SQLAlchemy driver suffix)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# Port 9 (discard) is closed on loopback: attempts fail fast, as a connect error.
UNREACHABLE = {"base_url": "http://127.0.0.1:9", "operations": {"get": {"method": "GET"}}}


async def add_connector(
    sessions: async_sessionmaker[AsyncSession],
    tenant_id: uuid.UUID,
    name: str = "echo",
    *,
    config: dict[str, Any] | None = None,
    spec: PolicySpec | None = None,
    max_attempts: int | None = None,
    enabled: bool = True,
) -> str:
    """A connector of the tenant (default: ``UNREACHABLE``), under ``spec`` when given or a
    policy giving ``max_attempts`` when set; returns its name."""
    if spec is None and max_attempts is not None:
        spec = PolicySpec(retry=RetryPolicy(max_attempts=max_attempts))
    async with sessions() as session, session.begin():
        await set_tenant(session, tenant_id)
        policy_id = None
        if spec is not None:
            policy_id = uuid.uuid4()
            session.add(
                Policy(
                    id=policy_id,
                    tenant_id=tenant_id,
                    name=f"p-{name}",
                    spec=msgspec.to_builtins(spec),
                    version=1,
                )
            )
            await session.flush()
        session.add(
            Connector(
                id=uuid.uuid4(),
                tenant_id=tenant_id,
                name=name,
                type="http",
                config=UNREACHABLE if config is None else config,
                policy_id=policy_id,
                secrets={},
                enabled=enabled,
                version=1,
            )
        )
    return name


async def exec_token(isolated: IsolatedDb, tenant_id: uuid.UUID) -> str:
    """A valid exec-plane token of ``tenant_id``, signed with the isolated database's key."""
    async with isolated.owner() as session, session.begin():
        await keys.ensure_active_key(session, isolated.kek)
    issued = now()
    return await forge(
        isolated.owner,
        isolated.kek,
        {
            "iss": isolated.settings.auth.issuer,
            "aud": EXEC_AUDIENCE,
            "sub": "svc:jobs-test",
            "tid": str(tenant_id),
            "scope": " ".join(EXEC_SCOPES),
            "iat": issued,
            "nbf": issued,
            "exp": issued + 600,
            "jti": uuid.uuid4().hex,
        },
    )


async def exec_headers(
    http: httpx.AsyncClient, stack: Stack, tenant: BootstrapResult
) -> dict[str, str]:
    """An exec-plane bearer token of ``tenant`` as request headers."""
    token = await fetch_token(
        http, stack.url("control-api"), tenant.exec_client_id, tenant.exec_client_secret
    )
    return {"Authorization": f"Bearer {token}"}


@dataclass
class IsolatedDb:
    """A migrated database of its own, with owner and runtime-role sessions."""

    url: str
    settings: CoreSettings
    owner: async_sessionmaker[AsyncSession]
    app: async_sessionmaker[AsyncSession]
    kek: KeyEncryptionKey


@dataclass
class SseEvent:
    """One server-sent event (or a comment, when ``comment`` is set)."""

    id: str | None = None
    event: str | None = None
    data: str | None = None
    comment: str | None = None

    def json(self) -> Any:
        """``data`` parsed as JSON."""
        assert self.data is not None
        return msgspec.json.decode(self.data)


async def sse_events(response: httpx.Response) -> AsyncIterator[SseEvent]:
    """Parse a ``text/event-stream`` body into events and comments."""
    current = SseEvent()
    async for line in response.aiter_lines():
        if line == "":
            if current != SseEvent():
                yield current
            current = SseEvent()
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "":
            yield SseEvent(comment=value)
        elif field == "id":
            current.id = value
        elif field == "event":
            current.event = value
        elif field == "data":
            current.data = value if current.data is None else f"{current.data}\n{value}"
