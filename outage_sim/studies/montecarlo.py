"""Monte-Carlo hazard sweeps: N realisations of a scenario's hazards through the batch engine.

Every sample ``i`` has its own seed, derived from the master seed and ``i`` alone
(:func:`sample_seed`), and is drawn exactly as ``outage-sim run SCENARIO --seed <seed>`` draws it
(same hazard tables, same generator calls), so any draw can be replayed through the single
engine. Because a sample's draw depends only on its seed, the results are the same however the
samples are split into chunks, threads or Dask workers.

Work is done in chunks (:func:`run_chunk`): draw the outages of each sample of the chunk, then
one :func:`outage_sim.engine.run_batch` call. :func:`run_montecarlo` runs the chunks in this
process (with a progress bar, :mod:`outage_sim.progress`) or on a Dask cluster (``workers`` starts a local one; ``scheduler``
uses an existing one).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from outage_sim.engine import BatchModel, OutageMatrix, compile_batch, run_batch, scenario_seed
from outage_sim.errors import InputError, ModelError, OutageSimError
from outage_sim.grid import distribution_blocks
from outage_sim.hazards import (
    BlockProbabilities,
    apply_conditions,
    block_load_matrix,
    block_probabilities,
    dark_share,
    failure_probabilities,
    group_codes,
    hazard_context,
    load_fractions,
    resolve_fault,
    sample_blocks,
    sample_failures,
)
from outage_sim.outputs import save_figure, write_outputs
from outage_sim.progress import track
from outage_sim.severity import classify_batch, level_frame
from outage_sim.studies.scenario import Scenario

DEFAULT_CHUNK = 2000
MONTECARLO_FILES = ("summary.json", "samples.csv", "districts.csv", "levels.png", "districts.png",
                "shed_histogram.png")


def sample_seed(master: int, i: int) -> int:
    """The seed of sample ``i`` (pass it to ``outage-sim run --seed`` to replay the draw, its
    cascade included): the batch engine's :func:`~outage_sim.engine.scenario_seed`."""
    return scenario_seed(master, i)


@dataclass(frozen=True)
class MonteCarloSetup:
    """Everything a chunk needs, built once per sweep (small enough to send to Dask workers)."""

    model: BatchModel
    tables: tuple[tuple[pd.DataFrame, np.ndarray], ...]  # probability table and group codes
    fixed_outages: tuple[tuple[str, int], ...]           # the scenario's explicit faults
    mode: str
    cascade_threshold: float
    scenario_name: str
    # beneath the transmission model: block probabilities, feeders per block, blocks × loads
    distribution: tuple[BlockProbabilities, np.ndarray, np.ndarray] | None = None


def prepare(scenario: Scenario) -> MonteCarloSetup:
    """Apply the scenario's conditions (heat wave) and compute each hazard's failure table, in
    the order ``outage-sim run`` draws them; compile the grid for the batch engine."""
    net = scenario.build_net()
    ctx = hazard_context(net)
    tables = []
    for spec in scenario.hazards:
        apply_conditions(net, spec, context=ctx)
        table = failure_probabilities(net, spec, context=ctx)
        tables.append((table, group_codes(table)))
    fixed = []
    for f in scenario.faults:
        fixed += [(o.element, o.index) for o in resolve_fault(net, f.kind, f.name)]
    blocks = distribution_blocks()
    probs = block_probabilities(blocks, scenario.hazards)
    dist = ((probs, blocks["feeders"].to_numpy(np.int64), block_load_matrix(net, blocks))
            if probs.exposed else None)
    return MonteCarloSetup(model=compile_batch(net), tables=tuple(tables),
                           fixed_outages=tuple(fixed), mode=scenario.mode,
                           cascade_threshold=scenario.cascade_threshold, scenario_name=scenario.name,
                           distribution=dist)


def draw_matrix(setup: MonteCarloSetup, seeds: np.ndarray) -> OutageMatrix:
    """The outage matrix of the samples with these seeds."""
    bm = setup.model
    om = OutageMatrix.empty(bm, len(seeds))
    for s, seed in enumerate(seeds):
        rng = np.random.default_rng(int(seed))
        for table, codes in setup.tables:
            failed, _ = sample_failures(table, rng, codes)
            for el, idx in zip(table["element"].to_numpy()[failed], table["index"].to_numpy()[failed]):
                om.set(s, bm, str(el), int(idx))
        for el, idx in setup.fixed_outages:
            om.set(s, bm, el, idx)
    return om


def run_chunk(setup: MonteCarloSetup, seeds: np.ndarray) -> dict:
    """Draw and run one chunk; returns plain arrays (picklable, small)."""
    om = draw_matrix(setup, seeds)
    cut = None
    if setup.distribution is not None:  # 110 kV lines and feeders, drawn on their own stream
        probs, feeders, matrix = setup.distribution
        lost, failed = sample_blocks(probs, feeders, seeds)
        cut = load_fractions(dark_share(lost, failed, feeders), matrix)
    res = run_batch(setup.model, om, mode=setup.mode, cascade_threshold=setup.cascade_threshold,
                    cut_share=cut, seed=np.asarray(seeds, np.int64))
    sev = classify_batch(**res.to_events())
    return {"seeds": np.asarray(seeds, np.int64), "rank": sev.rank.astype(np.int8),
            "shed_mw": res.main_shed_mw, "customers_out": res.main_customers_out,
            "district_shed_mw": res.shed_mw.astype(np.float32),
            "dark": res.dark(), "uncertain": res.uncertain,
            "failed": om.branch.sum(1) + om.bus.sum(1) + om.unit.sum(1) + om.fixed.sum(1),
            "decided_scope": sev.decided_scope, "decided_measure": sev.decided_measure}


@dataclass(frozen=True)
class MonteCarloResult:
    """The sweep: one row per sample, and the summaries planners ask for."""

    samples: pd.DataFrame           # seed, level_rank, level, shed_mw, customers_out, failed, ...
    district_dark_probability: pd.DataFrame
    district_mean_shed_mw: pd.DataFrame
    level_probability: pd.DataFrame
    load_mw: float
    customers: int
    master_seed: int
    scenario: str
    model_version: str
    level: str
    base_state: dict | None = None  # the grid's problems before any draw (None when it is secure)

    def summary(self, worst: int = 10) -> dict:
        s = self.samples
        q = [0.5, 0.9, 0.99, 1.0]
        w = s.sort_values(["level_rank", "shed_mw"], ascending=False).head(worst)
        return {
            "scenario": self.scenario, "samples": len(s), "master_seed": self.master_seed,
            "model_version": self.model_version, "load_level": self.level,
            "level_probability": self.level_probability.to_dict("records"),
            "shed_mw_quantiles": {f"p{int(100 * x)}": round(float(s.shed_mw.quantile(x)), 3) for x in q},
            "customers_out_quantiles": {f"p{int(100 * x)}": int(s.customers_out.quantile(x)) for x in q},
            "mean_shed_mw": round(float(s.shed_mw.mean()), 3),
            "uncertain_share": round(float(s.uncertain.mean()), 6),
            "district_dark_probability": self.district_dark_probability.to_dict("records"),
            "worst": w[["seed", "level", "level_en", "level_rank", "shed_mw", "customers_out",
                        "failed"]].to_dict("records"),
            **({"base_state": self.base_state} if self.base_state else {}),
        }

    def write(self, out: str | Path, *, force: bool = False) -> list[Path]:
        """Write summary.json, samples.csv, districts.csv and the figures into ``out``, all or
        nothing (:func:`outage_sim.outputs.write_outputs`)."""
        from outage_sim.reports import (
            plot_district_probability,
            plot_level_probability,
            plot_shed_histogram,
        )

        def figure(fn):
            def write(path: Path) -> None:
                import matplotlib.pyplot as plt

                ax = fn(self)
                try:
                    save_figure(ax.figure, path, dpi=130, bbox_inches="tight")
                finally:
                    plt.close(ax.figure)
            return write

        files = {
            "summary.json": json.dumps(self.summary(), ensure_ascii=False, indent=2, default=_json),
            "samples.csv": lambda p: self.samples.to_csv(p, index=False),
            "districts.csv": lambda p: self.district_dark_probability.merge(
                self.district_mean_shed_mw, on="district").to_csv(p, index=False),
            "levels.png": figure(plot_level_probability),
            "districts.png": figure(plot_district_probability),
            "shed_histogram.png": figure(plot_shed_histogram)}
        return write_outputs(out, files, force=force)


def run_montecarlo(scenario: Scenario, samples: int, *, seed: int | None = None,
                   chunk: int = DEFAULT_CHUNK, workers: int | None = None,
                   scheduler: str | None = None, progress: bool = False) -> MonteCarloResult:
    """Run ``samples`` draws of the scenario's hazards (master seed: ``seed`` or the scenario's)."""
    if samples < 1:
        raise InputError("--samples: must be at least 1")
    if chunk < 1:
        raise InputError("--chunk: must be at least 1")
    if workers is not None and scheduler is not None:
        raise InputError("--workers and --scheduler: give one or the other")
    master = scenario.seed if seed is None else int(seed)
    setup = prepare(scenario)
    seeds = np.array([sample_seed(master, i) for i in range(samples)], np.int64)
    chunks = [seeds[i:i + chunk] for i in range(0, samples, chunk)]
    if workers is not None or scheduler is not None:
        parts = _run_dask(setup, chunks, workers, scheduler, progress)
    else:
        parts = []
        for part in track(chunks, "蒙特卡洛 Monte-Carlo chunks", enabled=progress):
            parts.append(run_chunk(setup, part))
    return _assemble(setup, parts, master)


#: Times Dask re-runs a chunk that raised (a chunk whose worker died is re-run anyway, up to
#: the scheduler's ``distributed.scheduler.allowed-failures``).
DASK_RETRIES = 3


def _run_dask(setup, chunks, workers, scheduler, progress) -> list[dict]:
    """The chunks on a Dask cluster (a local one of ``workers`` processes, or ``scheduler``'s),
    in chunk order whatever order they finished in.

    The set-up goes to the cluster as a task of its own, not scattered: a worker that dies takes
    only its copy with it, and the scheduler makes a new one for the chunks that still need it
    (data scattered once, even with ``broadcast=True``, never reaches a restarted worker). A
    chunk whose worker died is re-run elsewhere, so the sweep equals the serial one.
    """
    try:
        from dask.distributed import as_completed
    except ImportError:
        raise InputError("--workers/--scheduler: need Dask; install the parallel extra: "
                         "pip install 'outage_sim[parallel]'") from None
    with _dask_client(workers, scheduler) as client:
        ref = client.submit(_setup_task, setup, pure=False)
        futures = [client.submit(run_chunk, ref, c, pure=False, retries=DASK_RETRIES)
                   for c in chunks]
        index = {f.key: i for i, f in enumerate(futures)}
        parts: list[dict | None] = [None] * len(futures)
        try:
            # as each chunk completes, so the bar moves with the work (not all at the end)
            for fut in track(as_completed(futures), "蒙特卡洛 Monte-Carlo chunks (Dask)",
                             enabled=progress, total=len(futures)):
                parts[index[fut.key]] = fut.result()
        except OutageSimError:
            raise
        except Exception as exc:  # noqa: BLE001 - Dask's own failures, as one line
            raise ModelError(f"Dask: the sweep failed ({type(exc).__name__}: "
                             f"{str(exc).splitlines()[0] if str(exc) else 'no message'})") from None
        return parts


def _setup_task(setup: MonteCarloSetup) -> MonteCarloSetup:
    """The set-up as a Dask task's result (recomputed by the scheduler if its worker dies)."""
    return setup


@contextlib.contextmanager
def _dask_client(workers: int | None, scheduler: str | None):
    """A client of ``scheduler``, or of a local cluster of ``workers`` processes, with Dask's
    restart warnings kept off the terminal (a killed worker is expected and handled)."""
    import logging
    import warnings

    from dask.distributed import Client, LocalCluster

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        if scheduler is not None:
            try:
                client = Client(scheduler, timeout="10s")
            except (OSError, ValueError, TypeError) as exc:
                raise InputError(f"--scheduler: cannot reach {scheduler} ({exc})") from None
            with client:
                yield client
            return
        if workers < 1:
            raise InputError("--workers: must be at least 1")
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                          host="127.0.0.1", dashboard_address=None,
                          silence_logs=logging.CRITICAL) as cluster, Client(cluster) as client:
            yield client


def _assemble(setup: MonteCarloSetup, parts: list[dict], master: int) -> MonteCarloResult:
    from outage_sim.severity import load_plan

    bm = setup.model
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    plan = load_plan()
    frame = level_frame(plan, cat["rank"], cat["decided_scope"], cat["decided_measure"],
                          bm.district_names)
    frame.insert(0, "seed", cat["seeds"])
    frame = frame.assign(shed_mw=np.round(cat["shed_mw"], 3),
                         shed_pct=np.round(100 * cat["shed_mw"] / bm.demand.sum(), 3),
                         customers_out=cat["customers_out"], failed=cat["failed"],
                         uncertain=cat["uncertain"])
    ranks = np.arange(plan.max_rank, -1, -1)
    counts = np.bincount(cat["rank"].astype(int), minlength=plan.max_rank + 1)
    levels = level_frame(plan, ranks, np.full(len(ranks), -2), np.full(len(ranks), -1), ())
    levels = levels[["level", "level_en", "level_rank"]].assign(probability=counts[ranks] / len(frame))
    names = list(bm.district_names)
    dark = pd.DataFrame({"district": names, "p_dark": cat["dark"].mean(axis=0)})
    mean_shed = pd.DataFrame({"district": names,
                              "mean_shed_mw": cat["district_shed_mw"].mean(axis=0),
                              "load_mw": np.bincount(bm.load_district, weights=bm.demand,
                                                     minlength=len(names))})
    return MonteCarloResult(
        samples=frame,
        district_dark_probability=dark.sort_values("p_dark", ascending=False,
                                                   kind="stable").reset_index(drop=True),
        district_mean_shed_mw=mean_shed, level_probability=levels,
        load_mw=float(bm.demand.sum()), customers=int(bm.customers.sum()), master_seed=master,
        scenario=setup.scenario_name, model_version=bm.model_version, level=bm.level,
        base_state=None if bm.base is None or bm.base.secure else bm.base.to_dict())


def _json(x):
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(type(x).__name__)
