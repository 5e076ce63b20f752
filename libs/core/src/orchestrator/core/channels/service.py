"""The channel's rules: who participates, what an action does, what a watcher sees first.

``ChannelRuntime`` is a process's view of every channel: its sessions (Redis) and its
hub (the one subscription feeding local watchers). Database work runs in the caller's
tenant transaction; ``publish`` runs after it commits.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession

from orchestrator.core.channels import repository
from orchestrator.core.channels.catalogue import ActionRequest, check_action
from orchestrator.core.channels.events import Actor, ChannelEvent
from orchestrator.core.channels.fanout import ChannelHub, publish
from orchestrator.core.channels.sessions import ChannelSessions, Opened, SessionGone
from orchestrator.core.errors import NotFound, RateLimited
from orchestrator.core.settings import ChannelSettings


@dataclass(frozen=True, slots=True)
class Participant:
    """Someone on a workspace's channel: an operator of its organization, or its guest."""

    workspace_id: uuid.UUID
    actor: Actor

    @property
    def key(self) -> str:
        """Whose sessions these are: ``operator:<name>`` or ``guest:<guest-NNNN>``."""
        return f"{self.actor.kind}:{self.actor.name}"


def session_gone() -> NotFound:
    """The 404 of a session that is not open (closed, expired, or not the caller's)."""
    return NotFound("No such open session of yours on this channel; open another.")


class ChannelRuntime:
    """Sessions, fan-out and settings of every workspace's channel in one process."""

    def __init__(self, redis: Redis, namespace: str, settings: ChannelSettings) -> None:
        self.settings = settings
        self._redis = redis
        self._namespace = namespace
        self.sessions = ChannelSessions(
            redis,
            namespace,
            cap=settings.sessions_per_user,
            idle_s=settings.idle_s,
            actions_per_minute=settings.actions_per_minute,
        )
        self.hub = ChannelHub(redis, namespace)

    async def publish(self, event: ChannelEvent) -> None:
        """Send ``event`` to every watcher of its workspace, on every replica."""
        await publish(self._redis, self._namespace, event)

    async def open(self, participant: Participant) -> Opened:
        """Open a session; the oldest of the participant's sessions past the cap are closed
        (their streams end), and every watcher learns the new presence."""
        opened = await self.sessions.open(participant.workspace_id, participant.key)
        if opened.closed:
            await self.publish(
                ChannelEvent(
                    type="closed", workspace_id=participant.workspace_id, closed=opened.closed
                )
            )
        await self.publish_presence(participant.workspace_id, opened.sessions)
        return opened

    async def close(self, participant: Participant, session_id: str) -> None:
        """Close one of the participant's sessions (404 when it is not open)."""
        if not await self.sessions.close(participant.workspace_id, participant.key, session_id):
            raise session_gone()
        await self.publish(
            ChannelEvent(type="closed", workspace_id=participant.workspace_id, closed=[session_id])
        )
        await self.publish_presence(participant.workspace_id)

    async def publish_presence(self, workspace_id: uuid.UUID, sessions: int | None = None) -> None:
        """Tell the workspace's watchers how many sessions are open."""
        count = await self.sessions.presence(workspace_id) if sessions is None else sessions
        await self.publish(ChannelEvent(type="presence", workspace_id=workspace_id, sessions=count))

    async def act(
        self, session: AsyncSession, participant: Participant, request: ActionRequest
    ) -> ChannelEvent:
        """Count one canned action (422 for anything else) sent within an open session of
        the participant's (404 otherwise; 429 past its actions a minute); the event to
        publish once this commits."""
        action = check_action(request, await repository.poll_choices(session))
        try:
            wait_s = await self.sessions.spend(
                participant.workspace_id, participant.key, request.session
            )
        except SessionGone:
            raise session_gone() from None
        if wait_s is not None:
            raise RateLimited(
                f"A session sends at most {self.sessions.actions_per_minute} actions a minute.",
                headers={"Retry-After": str(max(1, math.ceil(wait_s)))},
            )
        count = await repository.add_one(
            session, participant.workspace_id, action.counter, keep_days=self.settings.keep_days
        )
        return ChannelEvent(
            type="action",
            workspace_id=participant.workspace_id,
            actor=participant.actor,
            action=action.action,
            poll=action.poll,
            choice=action.choice,
            count=count,
        )

    async def snapshot(self, session: AsyncSession, workspace_id: uuid.UUID) -> ChannelEvent:
        """The counters and presence now: what a (re)connecting watcher gets, not a history."""
        counters = await repository.totals(session, keep_days=self.settings.keep_days)
        sessions = await self.sessions.presence(workspace_id)
        return ChannelEvent(
            type="snapshot", workspace_id=workspace_id, counters=counters, sessions=sessions
        )
