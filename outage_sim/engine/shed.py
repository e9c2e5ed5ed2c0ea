"""The load-shed engine, one scenario: faults → islands → balance → overloads → AC check.

:func:`shed_load` applies outages to a copy of an annotated net and decides how much load every
load loses and why:

0. **Before the event.** The intact net is checked first (:func:`event_start`): what it cannot
   serve (islands without a source, loads out of service, generation short of the demand,
   branches above their rating, relieved as the dispatcher would) is its base state
   (:class:`~outage_sim.engine.base.BaseState`), reported as such and never as a loss of the
   event, whose shed is measured against what the intact net serves.

1. **Islands.** Buses split into islands (:mod:`outage_sim.engine.state`). An island without a
   synchronous source (a unit, a grid-forming intertie, an external grid) is black: the LCC DC
   infeed and grid-following renewables cannot run without one.
2. **Balance.** An island whose units at their maximum, plus the healthy interties' emergency
   support (AC ties to Sichuan and the 渝鄂 converters up to their ratings; the LCC infeed holds
   its schedule: ``control`` in interties.csv), cannot carry its load sheds by the 紧急限电序位表
   (``shed_priority``, 1 first): every load of the lowest remaining priority is cut in full before
   the next priority is touched, and the marginal priority is cut by the same share on each of its
   loads (rotating outages by feeder). Units follow the change in proportion to their headroom
   (AGC), then the interties; a surplus curtails renewables and imports, then trips the smallest
   units (:mod:`outage_sim.engine.balance`).
3. **Overloads.** ``mode="dispatch"`` (default): where the balanced state overloads a branch, the
   dispatcher decides balance and relief together in one DC optimal load shed
   (:mod:`outage_sim.engine.lp`, scipy's HiGHS: redispatch cheapest, then the interties' support,
   curtailment, and load weighted by priority, important users last), the same LP the batch
   engine uses. ``mode="cascade"`` (the first seconds, then the cascade,
   :mod:`outage_sim.engine.cascade`): each island's frequency response decides what a sudden
   deficit costs — governors within their primary response, the synchronous area's response
   through the Sichuan ties, staged under-frequency load shedding (低频减载) and collapse below the
   units' trip frequency (:mod:`outage_sim.engine.frequency`, ``data/engine/frequency.yaml``);
   protection trips overloaded branches in rounds.
4. **AC check.** pandapower's AC power flow on the end state (one slack unit per island,
   units within their reactive limits; a line left open at its far end, such as a tripped
   intertie's, is opened at both ends), in ``dispatch`` mode as a loop
   (:mod:`outage_sim.engine.ac_secure`): while a branch is above 100% or a voltage outside
   0.90–1.10 pu, more load is shed (aimed by the PTDF for an overload, the low-voltage area lowest
   priority first) and capacitors are switched off against high voltage; voltages outside
   0.95–1.05 pu are alerts (越限告警). The result says what the loop did (``ac``), or that the AC
   power flow did not converge (``flags``), in which case the DC state is kept.

Customers: a load cut by a share ``f`` puts ``round(f × customers)`` of its customers out
(rotating outages by feeder); a fully cut load puts all of them out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from outage_sim.engine.ac import ac_verdict
from outage_sim.engine.ac_secure import ac_secure
from outage_sim.engine.balance import MODES, dispatch_islands, follow_units
from outage_sim.engine.base import BaseState, check_outages
from outage_sim.engine.cascade import cascade, cascade_start
from outage_sim.engine.cascade_model import cascade_rng
from outage_sim.engine.result import ShedResult, build_result
from outage_sim.engine.start import base_state, deactivate, event_start
from outage_sim.engine.state import active_masks, build_dc_model
from outage_sim.errors import InputError
from outage_sim.hazards import Outage, apply_outages, unique_outages

if TYPE_CHECKING:  # pandapower only in annotations: array workers never load it
    import pandapower as pp

__all__ = ["MODES", "BaseState", "base_state", "event_start", "shed_load"]



def shed_load(net: pp.pandapowerNet, outages: list[Outage] | tuple[Outage, ...] = (), *,
              mode: str = "dispatch", cascade_threshold: float = 1.2, ac_check: bool = True,
              seed: int | None = None) -> ShedResult:
    """Run the load-shed engine for one scenario.

    Parameters
    ----------
    net
        An annotated net (its state just before the event); it is not modified.
    outages
        Elements that failed (from :func:`outage_sim.hazards.resolve_fault` or a hazard draw).
    mode
        ``"dispatch"`` (operator sheds by the priority table to relieve overloads) or
        ``"cascade"`` (protection trips overloaded branches in rounds).
    cascade_threshold
        Loading (share of rating) above which protection trips a branch in ``cascade`` mode.
    ac_check
        Run pandapower's AC power flow on the end state.
    seed
        The cascade's random draws (``cascade`` mode: hidden failures, at-limit outages) come
        from :func:`~outage_sim.engine.cascade_model.cascade_rng` of it; None counts as 0, and
        the result records the seed used. Recorded as given in ``dispatch`` mode (deterministic).

    Raises
    ------
    InputError
        An unknown ``mode`` or a ``cascade_threshold`` below 1, an outage of an element the net
        does not have, data the engine cannot compute with (:func:`~outage_sim.engine.base.
        check_engine_data`).
    AnnotationError
        ``net`` lacks the annotations the engine reads.

    Notes
    -----
    What is wrong before the event (islands, loads without supply, overloads, generation short
    of the demand) is the base state (:class:`~outage_sim.engine.base.BaseState`, the result's
    ``base``), never a loss of the event: the event's shed and customers out are measured
    against what the intact net serves.
    """
    _check_options(mode, cascade_threshold)
    failed = tuple(unique_outages(list(outages)))
    work, st, base = event_start(net)
    check_outages(work, failed)
    loss = float(work.get("meta", {}).get("loss_factor", 0.0))
    start = cascade_start(work, st) if mode == "cascade" else None

    apply_outages(work, list(failed))
    masks = active_masks(work)
    model = build_dc_model(work, masks)
    deactivate(work, masks, st)
    rounds: list[list[dict]] = []
    flags: list[str] = []

    if mode == "dispatch":
        dispatch_islands(work, model, st, loss, stage="dispatch")
    else:
        assert start is not None  # read before the outages, in cascade mode
        seed = 0 if seed is None else seed
        model, rounds, flags = cascade(work, model, st, loss, cascade_threshold,
                                       rng=cascade_rng(seed), start=start)

    ac: dict = {"converged": None}
    state = "dc"
    if ac_check:
        ac = ac_secure(work, model, st, follow=follow_units, max_iter=8 if mode == "dispatch" else 0)
        state, ac_flags = ac_verdict(ac)
        flags += ac_flags
    return build_result(net, work, model, st, failed, rounds, ac, base.flags() + flags, mode, state,
                        seed, base=base)


def _check_options(mode: str, cascade_threshold: float) -> None:
    """Refuse options the engine cannot use, naming the option."""
    if mode not in MODES:
        raise InputError(f"mode: {mode!r} unknown; use one of {', '.join(MODES)}")
    if not cascade_threshold >= 1.0:
        raise InputError(f"cascade_threshold: must be at least 1.0, got {cascade_threshold}")
