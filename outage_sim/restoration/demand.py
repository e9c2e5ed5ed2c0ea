"""Demand over the day: what the customers out would draw at each hour of the restoration.

``data/restoration/load_profiles.csv`` holds a typical-day profile per season and load class
(per unit of the class's daily peak, hours 0–23, each row with its source). A load's demand at
a moment is its demand at the event times the ratio of its class's profile at that clock hour to
the profile at the event's hour (linear between hours). The restoration keeps its state as the
share of each load served; "80% of the load shed back" (§4.3(2)) is measured against what the
shed customers would draw at that hour, load picked up costs the island's pick-up capacity at
the hour's demand (times the cold-load factor), and the energy not served follows the clock.

Seasons by the event's month: summer June–September, winter December–February, otherwise
spring_autumn. A class without a row, or a model without the file, keeps its demand flat.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from outage_sim.errors import DataFileError

FILE = "load_profiles.csv"
HOURS = [f"h{h:02d}" for h in range(24)]


def season_of(t0: datetime) -> str:
    """The profile season of an event time."""
    return {6: "summer", 7: "summer", 8: "summer", 9: "summer", 12: "winter", 1: "winter",
            2: "winter"}.get(t0.month, "spring_autumn")


@lru_cache(maxsize=4)
def load_profiles(directory: Path | None = None) -> pd.DataFrame:
    """The checked profiles: one row per (season, load_class), columns h00..h23 and source.

    Raises
    ------
    DataFileError
        A column missing, a value not a number in (0, 2], a row without a source.
    """
    from outage_sim.restoration.data import RESTORATION_DATA_DIR

    path = (directory or RESTORATION_DATA_DIR) / FILE
    if not path.exists():
        return pd.DataFrame(columns=["season", "load_class", *HOURS, "source"])
    table = pd.read_csv(path, encoding="utf-8")
    missing = [c for c in ("season", "load_class", *HOURS, "source") if c not in table]
    if missing:
        raise DataFileError(f"{FILE}: missing column(s) {', '.join(missing)}")
    vals = table[HOURS].apply(pd.to_numeric, errors="coerce")
    bad = (vals.isna() | (vals <= 0) | (vals > 2)).any(axis=1) | (
        table.source.fillna("").astype(str).str.strip() == "")
    if bad.any():
        raise DataFileError(f"{FILE}: row {int(np.flatnonzero(bad.to_numpy())[0]) + 2}: every "
                            "hour must be a number in (0, 2] and the row needs a source")
    table[HOURS] = vals
    return table


class DayProfile:
    """Per load, its demand factor at a moment relative to the event's hour."""

    def __init__(self, load_class: pd.Series, t0: datetime, table: pd.DataFrame):
        season = table[table.season == season_of(t0)].set_index("load_class")
        curves = np.ones((len(load_class), 25))
        for i, cls in enumerate(load_class.astype(str)):
            if cls in season.index:
                row = season.loc[cls, HOURS].to_numpy(float)
                curves[i] = np.append(row, row[0])  # 24:00 is 00:00
        self.curves = curves
        self.h0 = t0.hour + t0.minute / 60 + t0.second / 3600
        self.base = self._at(self.h0)
        self.varies = bool((curves != curves[:, :1]).any())

    def _at(self, hour: float) -> np.ndarray:
        h = hour % 24.0
        k = int(h)
        w = h - k
        return self.curves[:, k] * (1 - w) + self.curves[:, k + 1] * w

    def factor(self, t: float) -> np.ndarray:
        """Per load: demand at ``t`` hours after the event / demand at the event."""
        return self._at(self.h0 + t) / self.base

    def next_hour(self, t: float) -> float:
        """The next full clock hour after ``t`` (hours after the event)."""
        return float(np.floor(self.h0 + t + 1e-9) + 1 - self.h0)
