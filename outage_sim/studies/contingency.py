"""N-k screening: every single or double outage of branches and units through the batch engine.

:func:`contingency_table` is what ``outage-sim contingency`` prints: one row per contingency with
the level keys of ``outage-sim classify --json``, MW and customers lost and the deciding
criterion, worst first. With ``progress`` a bar on stderr follows the batch engine chunk by chunk
and the recheck contingency by contingency (:mod:`outage_sim.progress`).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from outage_sim.errors import InputError
from outage_sim.progress import progress_bar, track


def contingency_table(net="summer_peak", k: int = 1, mode: str = "dispatch",
                      recheck: bool = False, *, progress: bool = False, seed: int = 0):
    """All single (k=1) or double (k=2) outages of branches and units of ``net``, ranked.

    ``net`` is an annotated net already built (the Chongqing model, or a user's through
    :func:`~outage_sim.grid.annotate_net`; it is not modified) or the name of a Chongqing load
    level (``summer_peak``, ``winter_peak``, ``valley``), which builds the model at that level.

    In cascade mode contingency ``i`` (its place before ranking) draws its hidden failures and
    at-limit outages with the seed ``scenario_seed(seed, i)`` (:func:`outage_sim.engine.run_batch`),
    the recheck too; ``attrs["seed"]`` records ``seed``.

    Returns a DataFrame (one row per contingency) with the level keys of ``outage-sim classify``,
    MW and customers lost and the deciding criterion, worst first. ``attrs`` holds
    ``model_version``, ``level``, ``mode``, ``load_mw`` and, with ``recheck``, ``recheck``
    (:func:`recheck_summary`). ``progress``: a bar on stderr when it is a terminal.
    """
    from outage_sim.engine import OutageMatrix, compile_batch, run_batch
    from outage_sim.grid import chongqing_net, element_name
    from outage_sim.studies.tables import to_frame

    if k not in (1, 2):
        raise InputError(f"--k: {k} not supported; use 1 or 2")
    if isinstance(net, str):
        net = chongqing_net(net)
    bm = compile_batch(net)
    names = list(bm.br_name) + [element_name(net, ref) for ref in bm.unit_ref]
    kinds = ["branch"] * bm.n_branch + ["unit"] * len(bm.unit_ref)
    pos = list(range(bm.n_branch)) + list(range(len(bm.unit_ref)))
    live = [i for i in range(len(names)) if kinds[i] == "branch" or bm.unit_on0[pos[i]]]
    sets = [(i,) for i in live] if k == 1 else list(combinations(live, 2))
    om = OutageMatrix.empty(bm, len(sets))
    rows = np.repeat(np.arange(len(sets)), k)
    cols = np.array(sets).ravel()
    is_branch = np.array([kinds[c] == "branch" for c in cols])
    p = np.array([pos[c] for c in cols])
    om.branch[rows[is_branch], p[is_branch]] = True
    om.unit[rows[~is_branch], p[~is_branch]] = True
    with progress_bar(f"N-{k} 预想事故 contingencies", len(sets), enabled=progress) as advance:
        res = run_batch(bm, om, mode=mode, on_chunk=advance, seed=seed)
    frame = to_frame(res, [" + ".join(names[c] for c in s) for s in sets])
    frame.insert(1, "k", k)
    checked = None
    if recheck:
        before = frame  # _recheck returns a new table
        frame = _recheck(net, frame, sets, kinds, pos, bm, names, mode, progress, seed)
        checked = recheck_summary(before, frame)
    frame = frame.sort_values(["level_rank", "shed_mw", "customers_out"], ascending=False,
                              kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame.attrs.update(model_version=bm.model_version, level=bm.level, mode=mode,
                       load_mw=float(bm.demand.sum()), seed=seed)
    if checked is not None:
        frame.attrs["recheck"] = checked
    return frame


def recheck_summary(before, after) -> dict:
    """What ``--recheck`` changed: the rows flagged uncertain in ``before`` (the batch's table)
    against the same rows of ``after`` (the single engine's).

    Returns ``{"rechecked": N, "changed_level": M, "largest_change": {...} or None}``; the
    largest change (``None`` when no MW moved) is the contingency whose MW shed moved most (``scenario``,
    ``shed_mw_before``/``_after``, ``level_before``/``_after`` and their ``_en``).
    """
    rows = before.index[before["uncertain"].to_numpy(bool)]
    old, new = before.loc[rows], after.loc[rows]
    changed = int((old["level_rank"].to_numpy() != new["level_rank"].to_numpy()).sum())
    largest = None
    moved = np.abs(new["shed_mw"].to_numpy(float) - old["shed_mw"].to_numpy(float))
    if len(rows) and moved.max() > 0:
        i = rows[int(np.argmax(moved))]
        largest = {"scenario": str(after.at[i, "scenario"]),
                   "shed_mw_before": float(before.at[i, "shed_mw"]),
                   "shed_mw_after": float(after.at[i, "shed_mw"]),
                   "level_before": str(before.at[i, "level"]),
                   "level_before_en": str(before.at[i, "level_en"]),
                   "level_after": str(after.at[i, "level"]),
                   "level_after_en": str(after.at[i, "level_en"])}
    return {"rechecked": len(rows), "changed_level": changed, "largest_change": largest}


def _recheck(net, frame, sets, kinds, pos, bm, names, mode, progress=False, seed=0):
    """Re-run the uncertain contingencies through the single engine (AC-checked); returns a new
    table (``frame`` is left alone)."""
    from outage_sim.engine import scenario_seed, shed_load
    from outage_sim.hazards import Outage
    from outage_sim.severity import classify, level_frame

    frame = frame.copy()
    uncertain = np.flatnonzero(frame.uncertain.to_numpy())
    for i in track(uncertain, "复核 recheck (single engine 单场景引擎)",
                   enabled=progress and len(uncertain) > 0):
        outs = []
        for c in sets[i]:
            el, idx = ((str(bm.br_element[pos[c]]), int(bm.br_index[pos[c]])) if kinds[c] == "branch"
                       else bm.unit_ref[pos[c]])
            outs.append(Outage(el, idx, names[c], "contingency"))
        r = shed_load(net, outs, mode=mode, seed=scenario_seed(seed, int(i)))
        sev = classify(r.to_event())
        scope = -1 if sev.decided_by and sev.decided_by.scope == "main" else (
            list(bm.district_names).index(sev.decided_by.scope) if sev.decided_by else -2)
        measure = -1 if not sev.decided_by else (0 if sev.decided_by.measure == "load_shed" else 1)
        cols = level_frame(sev.plan, np.array([sev.level_rank]), np.array([scope]),
                             np.array([measure]), bm.district_names).iloc[0]
        for key, value in cols.items():
            frame.at[frame.index[i], key] = value
        frame.at[frame.index[i], "shed_mw"] = round(r.main["shed_mw"], 3)
        frame.at[frame.index[i], "shed_pct"] = round(100 * r.main["shed_mw"] / r.main["load_mw"], 3)
        frame.at[frame.index[i], "customers_out"] = r.main["customers_out"]
        frame.at[frame.index[i], "uncertain"] = False
    return frame
