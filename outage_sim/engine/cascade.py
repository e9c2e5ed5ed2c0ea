"""Cascade mode of the single engine: protection, heating, the dispatcher and hidden failures
trip branches in rounds through time (the model: :mod:`outage_sim.engine.cascade_model`;
OPA, Dobson et al. HICSS 2001 and Carreras et al. Chaos 2002; hidden failures, Chen, Thorp &
Dobson IJEPES 2005; the Manchester model, Nedic et al. IJEPES 2006).

:func:`cascade_start` reads the net before the outages (each branch's heat, which branches are
out); :func:`cascade` runs the rounds after them. The batch engine's twin is
:mod:`outage_sim.engine.chunk_cascade`; both draw the same random vectors in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from outage_sim.engine.balance import WorkState, balance_islands, dispatch_islands, injections
from outage_sim.engine.cascade_model import (
    AT_LIMIT,
    CAUSE_TEXT,
    EV_OPERATOR,
    EV_PROTECTION,
    HIDDEN,
    NONE,
    PROTECTION,
    THERMAL,
    CascadeData,
    cascade_flag,
    draw,
    exposed,
    full_positions,
    heat,
    hidden_probability,
    load_cascade_data,
    next_event,
)
from outage_sim.engine.state import DC_RATING_MARGIN, DCModel, active_masks, build_dc_model
from outage_sim.hazards import Outage


@dataclass(frozen=True)
class Branches:
    """The net's full branch list: every line by index, then every transformer (in service or
    not), with bus positions and thermal time constants."""

    element: np.ndarray
    index: np.ndarray
    br_from: np.ndarray
    br_to: np.ndarray
    tau: np.ndarray
    n_line: int
    n_bus: int

    @classmethod
    def of(cls, work, data: CascadeData) -> Branches:
        pos = {int(b): i for i, b in enumerate(work.bus.index)}
        n_line, n_tr = len(work.line), len(work.trafo)
        ends = [(work.line.from_bus, work.line.to_bus), (work.trafo.hv_bus, work.trafo.lv_bus)]
        return cls(element=np.array(["line"] * n_line + ["trafo"] * n_tr),
                   index=np.concatenate([work.line.index.to_numpy(), work.trafo.index.to_numpy()]
                                        ).astype(np.int64),
                   br_from=np.array([pos[int(b)] for a, _ in ends for b in a], np.int64),
                   br_to=np.array([pos[int(b)] for _, z in ends for b in z], np.int64),
                   tau=np.array([data.tau_line_s] * n_line + [data.tau_trafo_s] * n_tr),
                   n_line=n_line, n_bus=len(pos))

    def positions(self, model: DCModel) -> np.ndarray:
        """Full-list position of each branch of ``model``."""
        lines, trafos = self.index[:self.n_line], self.index[self.n_line:]
        return full_positions(self.n_line, lines, trafos, model.br_element, model.br_index)


def _loading(fb: Branches, model: DCModel, st: WorkState) -> tuple[np.ndarray, np.ndarray]:
    """Over the full list: DC flow as a share of the rating (the DC rating margin taken off
    again), and as a share of the dispatcher's DC limit (0 for branches out of service)."""
    flows = np.abs(model.flows(injections(model, st)))
    pos = fb.positions(model)
    load = np.zeros(len(fb.element))
    lim = np.zeros(len(fb.element))
    load[pos] = flows / (model.br_rating_mw / DC_RATING_MARGIN)
    lim[pos] = flows / model.br_rating_mw
    return load, lim


def _out(work) -> np.ndarray:
    masks = active_masks(work)
    return ~np.concatenate([masks["line"], masks["trafo"]])


def cascade_start(work, st: WorkState, data: CascadeData | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Before the outages: each branch's loading (its heat is that squared) and which branches
    are out, over the full branch list."""
    fb = Branches.of(work, data or load_cascade_data())
    return _loading(fb, build_dc_model(work, active_masks(work)), st)[0], _out(work)


@dataclass
class _Run:
    """One cascade in progress (single engine)."""

    work: Any
    model: DCModel
    st: WorkState
    loss: float
    threshold: float
    rng: np.random.Generator
    data: CascadeData
    fb: Branches
    theta: np.ndarray
    resp_mw: np.ndarray   # each unit's primary response (MW): its fast cap above its output
    t: float = 0.0
    t_op: float = np.inf
    rounds: list[list[dict]] = field(default_factory=list)

    def trip(self, trips: np.ndarray, load: np.ndarray, cause: str,
             newly: np.ndarray | None = None) -> None:
        """Open ``trips`` (full-list mask) at ``self.t`` with ``cause``, then the hidden failures
        that ``newly`` (default ``trips``) and they in turn expose, by the loading ``load`` the
        relays saw; one round if anything opened; the islands are balanced again (first
        seconds)."""
        r = len(self.rounds) + 1
        rec = [self._open(int(k), load[k], cause, r) for k in np.flatnonzero(trips)]
        out = _out(self.work)
        newly = trips if newly is None else newly
        while True:
            exp = np.flatnonzero(exposed(out, newly, self.fb.br_from, self.fb.br_to, self.fb.n_bus)[0])
            if not len(exp):
                break
            p = hidden_probability(load[exp], self.threshold, self.data)
            hit = exp[draw(self.rng, len(out), exp, p)]
            if not len(hit):
                break
            rec += [self._open(int(k), load[k], HIDDEN, r) for k in hit]
            newly = np.zeros_like(out)
            newly[hit] = True
            out |= newly
        if rec:
            self.rounds.append(rec)
        self.model = build_dc_model(self.work, active_masks(self.work))
        balance_islands(self.work, self.model, self.st, self.loss, stage="fast")

    def _open(self, k: int, loading: float, cause: str, r: int) -> dict:
        el, idx = str(self.fb.element[k]), int(self.fb.index[k])
        name = str(self.work[el].at[idx, "name"])
        self.work[el].at[idx, "in_service"] = False
        self.st.tripped.append(Outage(el, idx, name, (
            f"连锁跳闸 cascade trip: {CAUSE_TEXT[cause]} at {100 * loading:.0f}% of rating, "
            f"round {r}, t = {self.t:.1f} s"), "cascade"))
        return {"element": el, "index": idx, "name": name, "loading_pct": round(100 * float(loading), 1),
                "time_s": round(self.t, 3), "cause": cause}

    def redispatch(self) -> tuple[np.ndarray, np.ndarray]:
        """The dispatcher's LP; then OPA's draw over the branches at their limit. Returns the
        branches that outage and the loading after the dispatch."""
        dispatch_islands(self.work, self.model, self.st, self.loss, stage="dispatch")
        # units the dispatcher moved keep their primary response above their new output
        self.st.unit_fast_max = np.maximum(self.st.unit_fast_max, np.minimum(
            self.st.unit_pmax, self.st.unit_p + self.resp_mw))
        load, lim = _loading(self.fb, self.model, self.st)
        at = np.flatnonzero(lim >= self.data.at_limit_share)
        trips = np.zeros(len(load), bool)
        trips[at[draw(self.rng, len(load), at, np.full(len(at), self.data.p_at_limit))]] = True
        return trips, load


def cascade(work, model: DCModel, st: WorkState, loss: float, threshold: float, *,
            rng: np.random.Generator, start: tuple[np.ndarray, np.ndarray],
            data: CascadeData | None = None) -> tuple[DCModel, list[list[dict]], list[str]]:
    """Run the cascade after the outages already applied to ``work`` (see
    :mod:`outage_sim.engine.cascade_model`). ``start`` is :func:`cascade_start` of the net before
    them; ``rng`` the run's :func:`~outage_sim.engine.cascade_model.cascade_rng`. Returns the
    end state's DC model, the branches tripped in each round (``element``, ``index``, ``name``,
    ``loading_pct``, ``time_s``, ``cause``) and the flags for the reader."""
    data = data or load_cascade_data()
    fb = Branches.of(work, data)
    load0, out0 = start
    run = _Run(work, model, st, loss, threshold, rng, data, fb, theta=load0 ** 2,
               resp_mw=np.clip(st.unit_fast_max - st.unit_p, 0.0, None))
    flags: list[str] = []
    # the initial outages expose their neighbours' protection, at the moment of the fault
    run.trip(np.zeros_like(out0), load0, HIDDEN, newly=_out(work) & ~out0)
    for _ in range(2 * data.max_rounds + 2):
        if len(run.rounds) >= data.max_rounds:
            flags.append(f"连锁跳闸未止 cascade did not settle within {data.max_rounds} rounds")
            break
        load, lim = _loading(fb, run.model, st)
        if not np.isfinite(run.t_op) and (lim > 1.0 + 1e-9).any():
            run.t_op = run.t + data.operator_delay_s
        kind, when, trips = next_event(load, run.theta, fb.tau, np.array([run.t]),
                                       np.array([run.t_op]), threshold, data.relay_delay_s)
        if kind[0] == NONE:
            break
        run.theta = heat(run.theta[None], load[None], fb.tau, np.array([when[0] - run.t]))[0]
        run.t = float(when[0])
        if kind[0] == EV_OPERATOR:
            run.t_op = np.inf
            trip, load = run.redispatch()
            cause = AT_LIMIT
        else:
            trip, cause = trips[0], PROTECTION if kind[0] == EV_PROTECTION else THERMAL
        if trip.any():
            run.trip(trip, load, cause)
    return run.model, run.rounds, flags + _flags(run)


def _flags(run: _Run) -> list[str]:
    flags = [cascade_flag(run.rounds)] if run.rounds else []
    left = _loading(run.fb, run.model, run.st)[0] > 1.0 + 1e-9
    if left.any():
        flags.append(f"过载 {int(left.sum())} branch(es) above 100% but below the "
                     f"{100 * run.threshold:.0f}% trip threshold remain overloaded")
    return flags
