"""Cascade mode of the single engine: protection trips overloaded branches in rounds."""

from __future__ import annotations

import numpy as np

from outage_sim.engine.balance import WorkState, balance_islands, injections
from outage_sim.engine.state import DC_RATING_MARGIN, DCModel, active_masks, build_dc_model
from outage_sim.hazards import Outage

MAX_CASCADE_ROUNDS = 50


def cascade(work, model: DCModel, st: WorkState, loss: float,
             threshold: float) -> tuple[DCModel, list[list[dict]], list[str]]:
    """Protection trips every branch above ``threshold`` of its rating, the islands are balanced
    again, and rounds repeat until none trips (cascade mode). Returns the end state's DC model,
    the branches tripped in each round and the flags for the reader."""
    rounds: list[list[dict]] = []
    flags: list[str] = []
    for r in range(1, MAX_CASCADE_ROUNDS + 1):
        loading = _loading(model, st)
        over = np.flatnonzero(loading > threshold)
        if not len(over):
            break
        # every trip of a round follows from the same flows: protection acts on all at once
        rounds.append([_trip(work, model, st, k, float(loading[k]), r) for k in over])
        model = build_dc_model(work, active_masks(work))
        balance_islands(work, model, st, loss, stage="fast")
    else:
        flags.append(f"cascade did not settle within {MAX_CASCADE_ROUNDS} rounds")
    left = _loading(model, st) > 1.0 + 1e-9
    if left.any():
        flags.append(f"{int(left.sum())} branch(es) above 100% but below the "
                     f"{100 * threshold:.0f}% trip threshold remain overloaded")
    return model, rounds, flags


def _loading(model: DCModel, st: WorkState) -> np.ndarray:
    """Per branch, DC flow as a share of its rating (the DC rating margin taken off again)."""
    flows = model.flows(injections(model, st))
    return np.abs(flows) / (model.br_rating_mw / DC_RATING_MARGIN)


def _trip(work, model: DCModel, st: WorkState, k: int, loading: float, r: int) -> dict:
    """Branch ``k`` trips in cascade round ``r``: out of service in ``work``, recorded in ``st``."""
    el, idx = str(model.br_element[k]), int(model.br_index[k])
    name = str(work[el].at[idx, "name"])
    work[el].at[idx, "in_service"] = False
    st.tripped.append(Outage(el, idx, name, f"protection trip at {100 * loading:.0f}% "
                             f"of rating, cascade round {r}", "cascade"))
    return {"element": el, "index": idx, "name": name, "loading_pct": round(100 * loading, 1)}


