"""What other domains may use of the schedules domain: its tables.

The only module of this domain that another domain may import (`.importlinter`, ADR 0072).
"""

from orchestrator.core.schedules.models import Schedule, ScheduleWakeup

__all__ = ["Schedule", "ScheduleWakeup"]
