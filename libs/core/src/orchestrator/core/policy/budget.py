"""A workspace's usage budget: upstream calls per calendar month (UTC), warned of at 95 %.

The count lives in Redis beside the other gate state and is taken by the gate's admit
script, so every replica spends one budget. The month is named by an integer
(``year * 12 + month - 1``) that the script compares with the one stored: a new month
starts a new count without anyone resetting it.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Final

WARNING_SHARE: Final = 0.95
"""The share of the budget whose crossing is announced (``quota.budget_warning``)."""


@dataclass(frozen=True, slots=True)
class BudgetPeriod:
    """One calendar month (UTC): its id for the script and when it starts and ends."""

    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime

    @property
    def name(self) -> str:
        """``YYYY-MM``."""
        return f"{self.starts_at.year:04d}-{self.starts_at.month:02d}"

    @property
    def ends_at_s(self) -> float:
        """The end as unix seconds."""
        return self.ends_at.timestamp()


def period_at(now_s: float) -> BudgetPeriod:
    """The calendar month (UTC) that contains the unix time ``now_s``."""
    now = dt.datetime.fromtimestamp(now_s, dt.UTC)
    start = dt.datetime(now.year, now.month, 1, tzinfo=dt.UTC)
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    end = dt.datetime(year, month, 1, tzinfo=dt.UTC)
    return BudgetPeriod(id=now.year * 12 + now.month - 1, starts_at=start, ends_at=end)


def warning_threshold(budget: int) -> int:
    """The call whose admission crosses 95 % of ``budget`` (at least the first call)."""
    return max(1, math.ceil(budget * WARNING_SHARE))


def crosses_warning(used: int, budget: int) -> bool:
    """Whether the call that brought the count to ``used`` is the one that crossed 95 %.

    Each count is handed out once by the script's atomic increment, so exactly one call
    a month crosses, whichever replica makes it.
    """
    return used == warning_threshold(budget)


class PeriodClock:
    """The current ``BudgetPeriod``, recomputed only when the month turns."""

    def __init__(self) -> None:
        self._period = period_at(0)

    def at(self, now_s: float) -> BudgetPeriod:
        """The period of ``now_s`` (cheap while it stays in the month last asked about)."""
        period = self._period
        if not period.starts_at.timestamp() <= now_s < period.ends_at_s:
            period = self._period = period_at(now_s)
        return period
