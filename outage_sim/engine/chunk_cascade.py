"""Cascade mode of the batch engine: the single engine's cascade
(:mod:`outage_sim.engine.cascade`, the model in :mod:`outage_sim.engine.cascade_model`: OPA,
Dobson et al. HICSS 2001 and Carreras et al. Chaos 2002; hidden failures, Chen, Thorp & Dobson
IJEPES 2005; the Manchester model, Nedic et al. IJEPES 2006) for every scenario of a chunk.

The fast part is vectorised: every live scenario's next event (protection, heating, the
dispatcher) is found at once (:func:`~outage_sim.engine.cascade_model.next_event`), the
scenarios whose next event is protection or heating trip together, and the islands of all of
them are labelled and balanced in one call each. Only the dispatcher's LP runs scenario by
scenario (:func:`outage_sim.engine.chunk._optimal_relief`), for the scenarios that still have a
branch above the dispatcher's limit when it acts; and the random draws (hidden failures,
at-limit outages), from each scenario's own stream, in the single engine's order, so scenario
``s`` with seed ``seeds[s]`` equals ``shed_load(..., mode="cascade", seed=seeds[s])``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from outage_sim.engine.batch_model import BatchModel, OutageMatrix
from outage_sim.engine.cascade_model import (
    EV_OPERATOR,
    NONE,
    CascadeData,
    cascade_rng,
    draw,
    exposed,
    heat,
    hidden_probability,
    load_cascade_data,
    next_event,
)
from outage_sim.engine.chunk import (
    _balance,
    _Chunk,
    _energised,
    _flows,
    _optimal_relief,
    islands,
    new_chunk,
)
from outage_sim.engine.state import DC_RATING_MARGIN

_ROWS = ("br_out", "bus_on", "served", "unit_on", "fixed_on", "unit_p", "fixed_p")


def _take(c: _Chunk, rows: np.ndarray) -> _Chunk:
    """The scenarios ``rows`` of a chunk as a chunk of their own (copies), islands labelled."""
    sub = _Chunk(**{k: getattr(c, k)[rows].copy() for k in _ROWS})
    return sub


def _put(c: _Chunk, rows: np.ndarray, sub: _Chunk) -> None:
    for k in _ROWS:
        getattr(c, k)[rows] = getattr(sub, k)


@dataclass
class _Cascades:
    """The cascades of a chunk in progress: per scenario its time, heat, dispatcher's time."""

    bm: BatchModel
    c: _Chunk
    threshold: float
    data: CascadeData
    rngs: list[np.random.Generator]
    theta: np.ndarray      # (S, branches) temperature rise, share of the rated rise
    t: np.ndarray          # (S,) seconds since the event
    t_op: np.ndarray       # (S,) when the dispatcher acts (inf: not called)
    rounds: np.ndarray     # (S,) rounds so far
    tripped: np.ndarray    # (S,) branches tripped by the cascade
    caps: np.ndarray       # (S, units) fast caps (raised where the dispatcher moved units)
    lp: np.ndarray         # (S,) the dispatcher has acted (its own caps)
    uncertain: np.ndarray  # (S,)
    settled: np.ndarray    # (S,)

    @property
    def tau(self) -> np.ndarray:
        return np.where(self.bm.br_element == "trafo", self.data.tau_trafo_s, self.data.tau_line_s)

    def loading(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Loading (share of rating) and share of the dispatcher's limit of ``rows``' branches."""
        sub = _take(self.c, rows)
        islands(self.bm, sub)
        f = np.abs(_flows(self.bm, sub))
        return f / (self.bm.br_rating / DC_RATING_MARGIN), f / self.bm.br_rating

    def rebalance(self, rows: np.ndarray) -> None:
        """Islands and the first seconds' balance of ``rows`` (the dispatcher's scenarios each
        with its own fast caps)."""
        plain = rows[~self.lp[rows]]
        groups = [(plain, self.bm)] if len(plain) else []
        groups += [(np.array([s]), replace(self.bm, unit_fast=self.caps[s]))
                   for s in rows[self.lp[rows]]]
        for r, bm in groups:
            sub = _take(self.c, r)
            islands(bm, sub)
            _balance(bm, sub, True)
            _put(self.c, r, sub)

    def trip(self, rows: np.ndarray, trips: np.ndarray, newly: np.ndarray,
             load: np.ndarray) -> None:
        """Open ``trips`` in ``rows`` and the hidden failures ``newly`` (and they) expose, drawn
        from each scenario's stream as the single engine draws them; then rebalance."""
        bm = self.bm
        n_full = bm.n_full
        for i, s in enumerate(rows):
            out = self.c.br_out[s] | trips[i]
            new = newly[i]
            n = int(trips[i].sum())
            while True:
                exp = np.flatnonzero(exposed(out, new, bm.br_from, bm.br_to, bm.n_bus)[0])
                if not len(exp):
                    break
                p = hidden_probability(load[i, exp], self.threshold, self.data)
                hit = exp[draw(self.rngs[s], n_full, bm.br_full[exp], p)]
                if not len(hit):
                    break
                new = np.zeros_like(out)
                new[hit] = True
                out |= new
                n += len(hit)
            self.c.br_out[s] = out
            self.tripped[s] += n
            self.rounds[s] += n > 0
        self.rebalance(rows)

    def redispatch(self, s: int) -> tuple[np.ndarray, np.ndarray]:
        """Scenario ``s``: the dispatcher's balance and LP (as ``dispatch_islands``), then OPA's
        draw over the branches at their limit. Returns the outages and the loading after."""
        bm, data = self.bm, self.data
        rows = np.array([s])
        sub = _take(self.c, rows)
        islands(bm, sub)
        before = sub.served.copy()
        _balance(bm, sub, False)
        flows = _flows(bm, sub)
        if ((np.abs(flows) > bm.br_rating[None, :] + 1e-6) & ~sub.br_out).any():
            rule_shed = np.clip(before - sub.served, 0.0, None) * _energised(bm, sub)[sub.isl_load]
            self.uncertain[s] |= not _optimal_relief(bm, sub, 0, rule_shed[0], flows[0])
        _put(self.c, rows, sub)
        resp = np.clip(bm.unit_fast - bm.unit_p0, 0.0, None)
        self.caps[s] = np.maximum(self.caps[s], np.minimum(bm.unit_pmax, sub.unit_p[0] + resp))
        self.lp[s] = True
        f = np.abs(_flows(bm, sub))[0]
        at = np.flatnonzero((f / bm.br_rating >= data.at_limit_share) & ~sub.br_out[0])
        trips = np.zeros(bm.n_branch, bool)
        trips[at[draw(self.rngs[s], bm.n_full, bm.br_full[at], np.full(len(at), data.p_at_limit))]] = True
        return trips, f / (bm.br_rating / DC_RATING_MARGIN)


def run_cascade_chunk(bm: BatchModel, om: OutageMatrix, threshold: float, seeds: np.ndarray,
                      data: CascadeData | None = None):
    """Served MW per load, uncertain and tripped counts of one chunk in cascade mode. Scenarios
    without any outage keep the state before the event (nothing can start a cascade)."""
    S = om.n
    served = np.repeat(bm.served_base[None, :], S, axis=0)
    uncertain = np.zeros(S, bool)
    tripped = np.zeros(S, np.int32)
    some = om.branch.any(axis=1) | om.bus.any(axis=1) | om.unit.any(axis=1) | om.fixed.any(axis=1)
    rows = np.flatnonzero(some)
    if len(rows):
        cs = _run(bm, om.take(rows), threshold, np.asarray(seeds)[rows], data or load_cascade_data())
        served[rows], uncertain[rows], tripped[rows] = cs.c.served, cs.uncertain, cs.tripped
    return served, uncertain, tripped


def _run(bm: BatchModel, om: OutageMatrix, threshold: float, seeds: np.ndarray,
         data: CascadeData) -> _Cascades:
    S = om.n
    c = new_chunk(bm, om)
    load0 = np.abs(bm.f_base) / (bm.br_rating / DC_RATING_MARGIN)
    cs = _Cascades(bm, c, threshold, data, [cascade_rng(int(x)) for x in seeds],
                   theta=np.repeat(load0[None, :] ** 2, S, axis=0), t=np.zeros(S),
                   t_op=np.full(S, np.inf), rounds=np.zeros(S, np.int64),
                   tripped=np.zeros(S, np.int32), caps=np.repeat(bm.unit_fast[None, :], S, axis=0),
                   lp=np.zeros(S, bool), uncertain=np.zeros(S, bool), settled=np.zeros(S, bool))
    every = np.arange(S)
    # the initial outages expose their neighbours' protection, at the moment of the fault
    cs.trip(every, np.zeros_like(c.br_out), c.br_out.copy(), np.repeat(load0[None, :], S, axis=0))
    tau = cs.tau
    for _ in range(2 * data.max_rounds + 2):
        capped = ~cs.settled & (cs.rounds >= data.max_rounds)
        cs.uncertain |= capped
        cs.settled |= capped
        live = np.flatnonzero(~cs.settled)
        if not len(live):
            break
        load, lim = cs.loading(live)
        call = ~np.isfinite(cs.t_op[live]) & (lim > 1.0 + 1e-9).any(axis=1)
        cs.t_op[live[call]] = cs.t[live[call]] + data.operator_delay_s
        kind, when, trips = next_event(load, cs.theta[live], tau, cs.t[live], cs.t_op[live],
                                       threshold, data.relay_delay_s)
        cs.settled[live[kind == NONE]] = True
        go = kind != NONE
        rows = live[go]
        cs.theta[rows] = heat(cs.theta[rows], load[go], tau, when[go] - cs.t[rows])
        cs.t[rows] = when[go]
        for i in np.flatnonzero(kind == EV_OPERATOR):
            s = live[i]
            cs.t_op[s] = np.inf
            trips[i], load[i] = cs.redispatch(s)
        hit = go & trips.any(axis=1)
        cs.trip(live[hit], trips[hit], trips[hit], load[hit])
    else:
        cs.uncertain |= ~cs.settled
    return cs
