"""N-k screening: every single or double outage of branches and units through the batch engine.

:func:`contingency_table` is what ``outage-sim contingency`` prints: one row per contingency with
the level keys of ``outage-sim classify --json``, MW and customers lost and the deciding
criterion, worst first.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np

from outage_sim.errors import InputError


def contingency_table(level: str = "summer_peak", k: int = 1, mode: str = "dispatch",
                      recheck: bool = False):
    """All single (k=1) or double (k=2) outages of branches and units, ranked.

    Returns a DataFrame (one row per contingency) with the level keys of ``outage-sim classify``,
    MW and customers lost and the deciding criterion, worst first.
    """
    from outage_sim.engine import OutageMatrix, compile_batch, run_batch
    from outage_sim.grid import chongqing_net
    from outage_sim.studies.tables import to_frame

    if k not in (1, 2):
        raise InputError(f"--k: {k} not supported; use 1 or 2")
    net = chongqing_net(level)
    bm = compile_batch(net)
    names = list(bm.br_name) + [net.gen.at[idx, "name"] for _, idx in bm.unit_ref]
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
    res = run_batch(bm, om, mode=mode)
    frame = to_frame(res, [" + ".join(names[c] for c in s) for s in sets])
    frame.insert(1, "k", k)
    if recheck and frame.uncertain.any():
        frame = _recheck(net, frame, sets, kinds, pos, bm, names, mode)
    frame = frame.sort_values(["level_rank", "shed_mw", "customers_out"], ascending=False,
                              kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    frame.attrs.update(model_version=bm.model_version, level=bm.level, mode=mode,
                       load_mw=float(bm.demand.sum()))
    return frame


def _recheck(net, frame, sets, kinds, pos, bm, names, mode):
    """Re-run the uncertain contingencies through the single engine (AC-checked)."""
    from outage_sim.engine import shed_load
    from outage_sim.hazards import Outage
    from outage_sim.severity import classify
    from outage_sim.studies.tables import level_columns

    for i in np.flatnonzero(frame.uncertain.to_numpy()):
        outs = []
        for c in sets[i]:
            el, idx = ((str(bm.br_element[pos[c]]), int(bm.br_index[pos[c]])) if kinds[c] == "branch"
                       else bm.unit_ref[pos[c]])
            outs.append(Outage(el, idx, names[c], "contingency"))
        r = shed_load(net, outs, mode=mode)
        sev = classify(r.to_event())
        scope = -1 if sev.decided_by and sev.decided_by.scope == "main" else (
            list(bm.district_names).index(sev.decided_by.scope) if sev.decided_by else -2)
        measure = -1 if not sev.decided_by else (0 if sev.decided_by.measure == "load_shed" else 1)
        cols = level_columns(sev.plan, np.array([sev.level_rank]), np.array([scope]),
                             np.array([measure]), bm.district_names).iloc[0]
        for key, value in cols.items():
            frame.at[frame.index[i], key] = value
        frame.at[frame.index[i], "shed_mw"] = round(r.main["shed_mw"], 3)
        frame.at[frame.index[i], "shed_pct"] = round(100 * r.main["shed_mw"] / r.main["load_mw"], 3)
        frame.at[frame.index[i], "customers_out"] = r.main["customers_out"]
        frame.at[frame.index[i], "uncertain"] = False
    return frame
