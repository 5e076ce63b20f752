"""The 95 % warning of a workspace's monthly call budget: an event, a log line, a counter.

The gate tells which call crossed (exactly one a month, whichever replica made it); this
announces it where each audience looks: the product backend reads ``quota.budget_warning``
from its event log or stream, operators see the counter (and its alert) and the log.
"""

from __future__ import annotations

import time
import uuid

from loguru import logger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from orchestrator.core.db.tenant import tenant_transaction
from orchestrator.core.events import log as events
from orchestrator.core.events.wake import Notifier, after_commit
from orchestrator.core.observability.metrics import BUDGET_WARNINGS
from orchestrator.core.policy.budget import WARNING_SHARE, period_at

BUDGET_WARNING = "quota.budget_warning"


class BudgetWarnings:
    """Announces budget warnings for every workspace a process serves."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], notifier: Notifier) -> None:
        self._sessions = sessions
        self._notifier = notifier

    async def __call__(self, tenant_id: uuid.UUID, used: int, budget: int) -> None:
        """Announce that ``tenant_id`` has made ``used`` of its ``budget`` calls this month."""
        period = period_at(time.time())
        BUDGET_WARNINGS.inc()
        logger.warning(
            "workspace {} made {} of its {} upstream calls for {} (≥ {:.0%})",
            tenant_id,
            used,
            budget,
            period.name,
            WARNING_SHARE,
        )
        data = {
            "period": period.name,
            "used": used,
            "budget": budget,
            "resets_at": period.ends_at.isoformat().replace("+00:00", "Z"),
        }
        async with tenant_transaction(self._sessions, tenant_id) as session:
            await events.append(session, tenant_id, BUDGET_WARNING, data)
            notifier = self._notifier
            after_commit(session, lambda: notifier.events_appended(tenant_id))
