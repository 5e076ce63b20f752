"""The scheduler loop: every ``poll_s``, fire the due schedules of every workspace.

Discovery is one indexed read of ``schedule_wakeups`` (kept by a trigger, readable across
workspaces only by a session that sets ``app.schedule_scan``), so an idle pass costs one
query however many workspaces there are; each workspace with something due is then fired
in its own tenant transaction: no ``BYPASSRLS`` role, no ``SECURITY DEFINER`` function
(ADR 0048). Any
number of schedulers may run (one per worker process); the row locks keep each cron
time to one fire.
"""

from __future__ import annotations

import asyncio
import contextlib

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.base import utcnow
from orchestrator.core.events.wake import Notifier
from orchestrator.core.schedules import repository
from orchestrator.core.schedules.firing import BATCH, Fired, fire_workspace
from orchestrator.core.schedules.metrics import SCHEDULER_LAST_PASS
from orchestrator.core.upstream.ssrf import NetworkPolicy


class Scheduler:
    """Fires due schedules, once per ``run_once`` or every ``poll_s`` in ``run``."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        notifier: Notifier,
        *,
        network: NetworkPolicy,
        poll_s: float = 1.0,
    ) -> None:
        self._sessions = sessions
        self._notifier = notifier
        self._network = network
        self._poll_s = poll_s

    async def run_once(self) -> list[Fired]:
        """One pass over every workspace; the fires it made."""
        fired: list[Fired] = []
        async with self._sessions() as session, session.begin():
            due = await repository.due_tenants(session, now=utcnow())
        for tenant_id in due:
            try:
                while True:
                    batch = await fire_workspace(
                        self._sessions, self._notifier, tenant_id, network=self._network
                    )
                    fired.extend(batch)
                    if len(batch) < BATCH:
                        break
            except Exception as exc:  # one workspace's failure must not stop the others
                logger.opt(exception=exc).error("schedules of {} not fired", tenant_id)
        return fired

    async def run(self, stop: asyncio.Event) -> None:
        """Pass every ``poll_s`` until ``stop`` is set; a failed pass is logged and retried."""
        while not stop.is_set():
            try:
                await self.run_once()
                SCHEDULER_LAST_PASS.set_to_current_time()
            except Exception as exc:  # PostgreSQL away: try again next interval
                logger.warning("scheduler pass failed: {!r}", exc)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._poll_s)
