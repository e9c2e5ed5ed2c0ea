"""Emergency power for important users (预案 §4.2.2 自备应急电源, §4.2.1 应急发电车): what keeps
hospitals, water works, metro, airport, government and telecom going while the grid is out.

Two sources, both in ``repair.yaml`` with their sources or stated estimates:

- **Backup power (自备应急电源)** of the user itself: per category of important user
  (``important_user`` in loads.csv), the share of its load that is critical (保安负荷, what
  emergency power aims to keep), the share its own standby generators carry, and how long their
  fuel lasts from the event (``backup_power``).
- **Mobile generator vehicles (应急发电车)**: a fleet (``generator_fleet``): vehicles of a rating
  at base districts, sent after a mobilisation time to the users still out, by category priority
  and then the largest gap, nearest free vehicle first; travel as the crews travel (road factor,
  speed, slowed while the hazard lasts). A vehicle stays while its user is out (refuelled by
  tanker) and is sent on when the grid takes the user back.

Emergency power never counts as grid restoration: the timeline's ``served_mw`` and the §4.3
checks are the grid's; ``backup_mw`` and ``mobile_mw`` are counted beside it. Per user it never
exceeds the user's critical load nor what the grid leaves unserved; the vehicles' total never
exceeds the fleet's.
"""

from __future__ import annotations

import math

import numpy as np

from outage_sim.errors import DataFileError
from outage_sim.restoration.crews import Crew

# a vehicle is placed and sent as a crew is: ``job`` is the user (load position) it serves or
# heads to, ``arrive_h`` when it is there
Vehicle = Crew


class EmergencyPower:
    """Backup and mobile generation of one run (inactive when the file has no such sections)."""

    def __init__(self, net, loads, data, travel_factor: float):
        bp, fleet = data.values.get("backup_power"), data.values.get("generator_fleet")
        self.active = bp is not None and fleet is not None
        cat = loads.important_user.fillna("").astype(str).to_numpy()
        self.users = np.flatnonzero(cat != "") if self.active else np.zeros(0, np.int64)
        self.category = cat
        self.critical = np.zeros(len(cat))
        self.backup = np.zeros(len(cat))
        self.endurance = np.zeros(len(cat))
        self.priority = np.full(len(cat), 99)
        self.vehicles: list[Vehicle] = []
        self._out = np.zeros(len(cat), bool)  # users out at the last dispatch
        if not self.active:
            return
        demand = loads.demand_mw.to_numpy(float)
        order = list(fleet["priority"])
        for i in self.users:
            p = bp.get(cat[i], bp.get("important_user"))
            if p is None:
                raise DataFileError(f"repair.yaml: backup_power: no entry for {cat[i]!r} and no "
                                    "'important_user' default")
            self.critical[i] = float(p["critical_share"]) * demand[i]
            self.backup[i] = float(p["backup_share"]) * demand[i]
            self.endurance[i] = float(p["endurance_h"])
            self.priority[i] = order.index(cat[i]) if cat[i] in order else len(order)
        self.mw = float(fleet["mw_each"])
        self.mobilise_h = float(fleet["mobilise_h"])
        self.data = data
        self.travel_factor = travel_factor
        dist = net["districts"].set_index("name")
        for base, count in fleet["bases"].items():
            if base not in dist.index:
                raise DataFileError(f"repair.yaml: generator_fleet.bases: no district named {base!r}")
            self.vehicles += [Vehicle(len(self.vehicles), base, float(dist.at[base, "lat"]),
                                      float(dist.at[base, "lon"])) for _ in range(int(count))]
        # where each user is: its bus's coordinates (else its district's centre)
        bus_pos = {int(b): k for k, b in enumerate(net.bus.index)}
        pos = np.array([bus_pos[int(b)] for b in net.load.bus])
        self.lat = self._coord(net, "lat", pos)
        self.lon = self._coord(net, "lon", pos)

    @staticmethod
    def _coord(net, col: str, pos: np.ndarray) -> np.ndarray:
        """Each load's bus coordinate (0 where the net has none)."""
        if col not in net.bus:
            return np.zeros(len(pos))
        return np.asarray(net.bus[col].to_numpy(float)[pos], float)

    @property
    def fleet_mw(self) -> float:
        return self.mw * len(self.vehicles)

    def backup_mw(self, t: float, gap: np.ndarray) -> np.ndarray:
        """Per load: MW its own standby generators carry at ``t`` (while their fuel lasts)."""
        return np.where(t < self.endurance - 1e-9, np.minimum(gap, self.backup), 0.0)

    def mobile_mw(self, t: float, gap: np.ndarray) -> np.ndarray:
        """Per load: MW the vehicles on site carry at ``t`` (up to its critical load)."""
        out = np.zeros(len(gap))
        if not self.active:
            return out
        on_site = np.zeros(len(gap))
        for v in self.vehicles:
            if v.job is not None and v.arrive_h <= t + 1e-9:
                on_site[v.job] += self.mw
        room = np.clip(np.minimum(gap, self.critical) - self.backup_mw(t, gap), 0.0, None)
        return np.minimum(on_site, room)

    def dispatch(self, t: float, gap: np.ndarray, hazard: bool) -> list[tuple[Vehicle, int]]:
        """Release vehicles whose user the grid took back; send free ones where critical load is
        uncovered (after the backup runs out, too). Returns the vehicles sent."""
        if not self.active:
            return []
        self._out = gap > 1e-6
        for v in self.vehicles:
            if v.job is not None and gap[v.job] <= 1e-6:
                v.lat, v.lon, v.job = float(self.lat[v.job]), float(self.lon[v.job]), None
        # what the user will need once its backup is gone (vehicles come before it runs out);
        # users whose critical load is uncovered now go first
        need = np.clip(np.minimum(gap, self.critical), 0.0, None)
        for v in self.vehicles:
            if v.job is not None:
                need[v.job] -= self.mw
        bare = need - self.backup_mw(t, gap)
        sent: list[tuple[Vehicle, int]] = []
        free = [v for v in self.vehicles if v.job is None]
        order = sorted(self.users[need[self.users] > 1e-6],
                       key=lambda i: (bare[i] <= 1e-6, self.priority[i], -need[i], i))
        while free and order:  # one vehicle per user per round: spread before stacking
            for i in order:
                if not free:
                    break
                v = min(free, key=lambda v: (self._travel_h(v, i, hazard), v.id))
                free.remove(v)
                # arrivals on the quarter hour: the time the dispatcher is told, one row each
                v.arrive_h = math.ceil(4 * (max(t, self.mobilise_h)
                                            + self._travel_h(v, i, hazard))) / 4
                v.job = int(i)
                need[i] -= self.mw
                sent.append((v, int(i)))
            order = [i for i in order if need[i] > 1e-6]
        return sent

    def _travel_h(self, v: Vehicle, i: int, hazard: bool) -> float:
        return self.data.road_h(v.lat, v.lon, self.lat[i], self.lon[i],
                                self.travel_factor if hazard else 1.0)

    def next_after(self, t: float) -> list[float]:
        """Vehicle arrivals and backup fuel running out after ``t``."""
        times = [v.arrive_h for v in self.vehicles if v.job is not None and v.arrive_h > t + 1e-9]
        ends = self.endurance[self.users[self._out[self.users]]]  # users still out
        times += [float(e) for e in np.unique(ends[ends > t + 1e-9])]
        return [min(times)] if times else []
