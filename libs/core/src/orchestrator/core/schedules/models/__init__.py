"""The schedules domain's tables; importing this package registers them."""

# Registers organizations and workspaces, which our foreign keys name, whoever loads us first.
from orchestrator.core import models as platform_tables  # noqa: F401
from orchestrator.core.schedules.models.schedule import Schedule, ScheduleWakeup

__all__ = ["Schedule", "ScheduleWakeup"]
