"""Calendar of a generation run in UTC microseconds since the epoch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

DAY_US = 86_400_000_000


@dataclass(frozen=True, slots=True)
class Timebase:
    """Month boundaries of the generated period; ``end_us`` is the data extract time."""

    month_start_us: np.ndarray  # shape (months,)
    month_len_us: np.ndarray  # shape (months,)
    start_us: int
    end_us: int

    @property
    def months(self) -> int:
        return int(self.month_start_us.shape[0])

    @classmethod
    def build(cls, start: date, months: int) -> Timebase:
        first = np.datetime64(start.replace(day=1), "M")
        bounds = (first + np.arange(months + 1)).astype("datetime64[us]").astype(np.int64)
        return cls(bounds[:-1], np.diff(bounds), int(bounds[0]), int(bounds[-1]))

    def calendar_month(self) -> np.ndarray:
        """Month of year (1..12) of each generated month."""
        months = self.month_start_us.astype("datetime64[us]").astype("datetime64[M]")
        return months.astype(np.int64) % 12 + 1
