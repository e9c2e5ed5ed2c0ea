"""Calibration of cascade mode: the distribution of blackout sizes of random N-2 outages.

Runs ``--samples`` random double branch outages through the batch engine in cascade mode
(:mod:`outage_sim.engine.cascade_model`) on stressed grids, loads scaled by ``--factors``:
IEEE 39- and 118-bus (``pandapower.networks``, annotated by ``outage_sim.grid.annotate_net``)
and the Chongqing summer peak. The size of a blackout is the main grid's shed as a share of
its load. Prints, per case and factor: the share of outages that shed anything, quantiles of
the size, the share of outages above 10 × the median of the non-zero sizes against an
exponential of the same mean, and the slope of the log-log CCDF of the non-zero sizes (a
straight CCDF over a decade is a power tail, OPA's signature of criticality).

    python scripts/cascade_calibration.py --case case39 --factors 0.8 0.9 1.0 --samples 1000
    python scripts/cascade_calibration.py --case chongqing --with-generation --factors 1.6
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def stressed_net(case: str, factor: float, generation: bool = False):
    """The annotated net of ``case`` with every load scaled by ``factor`` (and, for Chongqing
    with ``generation``, every unit's and infeed's output and maximum too: without it the
    units' limits cap the served load near ×1.1, the rest cut before the event as orderly use)."""
    from outage_sim import grid

    if case == "chongqing":
        net = grid.chongqing_net("summer_peak")
        net.load["p_mw"] *= factor
        for table in ("gen", "sgen") if generation else ():
            for col in ("p_mw", "max_p_mw"):
                if col in net[table]:
                    net[table][col] *= factor
        return net
    import pandapower.networks as pn

    raw = getattr(pn, case)()
    if case == "case118":
        rate_lines(raw)
    raw.load["p_mw"] *= factor
    return grid.annotate_net(raw)


RATING_MARGIN = 2.0  # case118's line ratings: 2 × the base case's flow
RATING_MIN_MVA = 50.0


def rate_lines(raw) -> None:
    """Give case118 (whose lines pandapower leaves unrated: 41 kA) ratings the way OPA's
    initial conditions do, from a solved base case: each line's rating is ``RATING_MARGIN`` ×
    its DC flow at the case's own loads, at least ``RATING_MIN_MVA``."""
    import pandapower as pp

    pp.rundcpp(raw)
    mva = np.maximum(RATING_MARGIN * raw.res_line.p_from_mw.abs().to_numpy(), RATING_MIN_MVA)
    kv = raw.bus.vn_kv.loc[raw.line.from_bus].to_numpy()
    raw.line["max_i_ka"] = mva / (np.sqrt(3) * kv * raw.line.parallel * raw.line.df)


def random_pairs(n_branch: int, samples: int, seed: int) -> np.ndarray:
    """``samples`` random pairs of distinct branch positions."""
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n_branch, samples)
    b = (a + rng.integers(1, n_branch, samples)) % n_branch
    return np.stack([a, b], axis=1)


def tail_figures(size: np.ndarray) -> dict:
    """Quantiles, the 10 × median tail against an exponential, and the CCDF's log-log slope."""
    pos = np.sort(size[size > 1e-6])
    mean_all = max(float(size.mean()), 1e-12)
    out = {"n": len(size), "p_any": len(pos) / len(size), "mean": mean_all,
           **{f"q{q}": float(np.quantile(size, q / 100)) for q in (50, 90, 99)},
           "max": float(size.max())}
    # the CCDF against an exponential of the same mean, at a few sizes
    for x in (0.1, 0.2, 0.3, 0.5):
        out[f"P>{x}"] = float((size > x).mean())
        out[f"exp>{x}"] = float(np.exp(-x / mean_all))
    if len(pos) < 20:
        return out
    med, mean = float(np.median(pos)), float(pos.mean())
    out.update(pos_median=med, pos_mean=mean,
               p_gt_10med=float((pos > 10 * med).mean()),
               exp_gt_10med=float(np.exp(-10 * med / mean)))
    ccdf = 1.0 - np.arange(len(pos)) / len(pos)
    lo, hi = np.quantile(pos, 0.1), np.quantile(pos, 0.98)
    sel = (pos >= lo) & (pos <= hi)
    if sel.sum() > 10 and hi / lo > 3:
        slope = np.polyfit(np.log10(pos[sel]), np.log10(ccdf[sel]), 1)[0]
        out.update(fit_decades=float(np.log10(hi / lo)), ccdf_slope=float(slope))
    return out


def main() -> None:
    from outage_sim.engine import OutageMatrix, compile_batch, run_batch

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", default="case39", choices=["case39", "case118", "chongqing"])
    ap.add_argument("--factors", type=float, nargs="+", default=[1.1, 1.3, 1.5])
    ap.add_argument("--samples", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--with-generation", action="store_true",
                    help="Chongqing: scale units and infeeds with the loads")
    args = ap.parse_args()
    for f in args.factors:
        t0 = time.time()
        bm = compile_batch(stressed_net(args.case, f, args.with_generation))
        pairs = random_pairs(bm.n_branch, args.samples, args.seed)
        om = OutageMatrix.empty(bm, len(pairs))
        om.branch[np.repeat(np.arange(len(pairs)), 2), pairs.ravel()] = True
        res = run_batch(bm, om, mode="cascade", seed=args.seed)
        size = res.main_shed_mw / res.main_load_mw
        figs = tail_figures(size)
        figs.update(trips_mean=float(res.tripped.mean()), trips_max=int(res.tripped.max()),
                    uncertain=int(res.uncertain.sum()), seconds=round(time.time() - t0, 1))
        print(f"{args.case} x{f}: " + ", ".join(
            f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}" for k, v in figs.items()))


if __name__ == "__main__":
    main()
