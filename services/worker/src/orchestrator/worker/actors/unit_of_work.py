"""An actor's unit of work: the one transaction of a message, scoped to its workspace.

The actors whose whole work is database work (routing webhook events, moving a workflow
run on) run it in this transaction, which commits when the actor returns and rolls back
when it raises (the broker then retries the message); the core functions they call never
open or commit one. Actors that call an upstream hold no transaction across the call:
their short phases are listed in ``core/db/unit_of_work.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.events.wake import Notifier
from orchestrator.core.upstream.ssrf import NetworkPolicy
from orchestrator.worker.actors.job_context import job_resources


@dataclass(frozen=True)
class ActorWork:
    """What an actor's core call takes: its transaction and the process's parts."""

    session: AsyncSession
    notifier: Notifier
    tenant_id: uuid.UUID
    network: NetworkPolicy


@asynccontextmanager
async def actor_transaction(tenant_id: str) -> AsyncIterator[ActorWork]:
    """The message's transaction, scoped to workspace ``tenant_id``."""
    resources = await job_resources()
    workspace = uuid.UUID(tenant_id)
    async with tenant_transaction(resources.sessions, workspace) as session:
        network = NetworkPolicy.from_settings(resources.settings.core.upstream)
        yield ActorWork(session, resources.waker, workspace, network)
