"""Repairs beneath the transmission model: failed 110 kV supply lines and 10 kV feeders.

A run's :class:`~outage_sim.hazards.DistributionDraw` says which blocks (110 kV stations) lost
their supply and how many of their feeders failed. Each district's distribution crews
(``repair.yaml`` ``distribution``) take the jobs in order — 110 kV supplies first (a whole block
each), then feeders with the most customers — each job on the first free crew. A job needs its
work hours at the cause's ``hazard_work_factor`` while the hazard lasts and at full pace after.
The result is a schedule: the share of each load still cut off at any time, and the times at
which it changes (the simulation stops there).
"""

from __future__ import annotations

import heapq

import numpy as np
import pandas as pd

from outage_sim.hazards import block_load_matrix


def finish_h(start: float, work_h: float, factor: float, hazard_end: float) -> float:
    """When ``work_h`` of work started at ``start`` is done, at ``factor`` of normal pace until
    ``hazard_end`` and at full pace after."""
    if start >= hazard_end or factor >= 1.0:
        return start + work_h / max(factor if start < hazard_end else 1.0, 1e-12)
    slow = (hazard_end - start) * factor
    if factor > 0 and slow >= work_h:
        return start + work_h / factor
    return hazard_end + (work_h - slow)


class DistributionRepairs:
    """The distribution repair schedule of one run (empty when nothing failed beneath the
    transmission model or the repair file has no ``distribution`` entry)."""

    def __init__(self, run, data, hazard_end: float, factor: float,
                 rng: np.random.Generator | None = None):
        self.jobs = pd.DataFrame(columns=["block", "district", "kind", "done_h", "customers"])
        draw = getattr(run, "distribution", None)
        prm = data.values.get("distribution")
        self.matrix = np.zeros((0, len(run.net.load)))
        if draw is None or not draw.any or prm is None:
            return
        blocks = draw.blocks.reset_index(drop=True)
        zones = _zones(run.net, blocks)
        rows = []
        for district, part in blocks.groupby("district", sort=True):
            todo = _district_jobs(part, prm)
            crews = [0.0] * max(1, int(prm["crews_by_zone"].get(zones.get(district, ""), 1)))
            heapq.heapify(crews)
            for block, kind, work_h, cust in todo:
                start = heapq.heappop(crews)
                done = finish_h(start, work_h * data.draw_factor(rng), factor, hazard_end)
                heapq.heappush(crews, done)
                rows.append((block, district, kind, done, cust))
        self.jobs = pd.DataFrame(rows, columns=["block", "district", "kind", "done_h", "customers"])
        self.blocks = blocks
        self.matrix = block_load_matrix(run.net, blocks)

    @property
    def empty(self) -> bool:
        return self.jobs.empty

    def share(self, t: float) -> np.ndarray:
        """Share of each load still cut off beneath the transmission model at ``t``."""
        if self.empty:
            return np.zeros(self.matrix.shape[1])
        b = self.blocks
        open_jobs = self.jobs[self.jobs.done_h > t + 1e-9]
        feeders_left = np.bincount(open_jobs.block[open_jobs.kind == "feeder"].to_numpy(np.int64),
                                   minlength=len(b))
        lost = np.zeros(len(b), bool)
        lost[open_jobs.block[open_jobs.kind == "110kV"].to_numpy(np.int64)] = True
        dark = np.where(lost, 1.0, feeders_left / np.maximum(b.feeders.to_numpy(), 1))
        return np.clip(dark @ self.matrix, 0.0, 1.0)

    def next_after(self, t: float) -> list[float]:
        """The next completion time after ``t`` (empty when all are done)."""
        later = self.jobs.done_h[self.jobs.done_h > t + 1e-9]
        return [float(later.min())] if len(later) else []

    def done_between(self, t0: float, t1: float) -> pd.DataFrame:
        """Jobs finished in (t0, t1], per district and kind: count and customers."""
        j = self.jobs[(self.jobs.done_h > t0 + 1e-9) & (self.jobs.done_h <= t1 + 1e-9)]
        return j.groupby(["district", "kind"], sort=True).agg(n=("block", "size"),
                                                              customers=("customers", "sum"))


def _zones(net, blocks: pd.DataFrame) -> dict[str, str]:
    if "zone" in net["districts"]:
        return dict(zip(net["districts"]["name"], net["districts"]["zone"]))
    from outage_sim.hazards import district_zones

    return district_zones()


def _district_jobs(part: pd.DataFrame, prm: dict) -> list[tuple[int, str, float, int]]:
    """(block, kind, work hours, customers) of a district: 110 kV supplies, then feeders with
    the most customers per feeder first."""
    jobs = [(int(i), "110kV", float(prm["line_110kv_h"]), int(r.customers))
            for i, r in part[part.lost_110].iterrows()]
    feeders = []
    for i, r in part[part.feeders_failed > 0].iterrows():
        per = int(r.customers) // max(int(r.feeders), 1)
        feeders += [(int(i), "feeder", float(prm["feeder_h"]), per)] * int(r.feeders_failed)
    feeders.sort(key=lambda j: -j[3])
    return jobs + feeders
