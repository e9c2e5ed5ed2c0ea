"""Monte-Carlo hazard sweeps: N realisations of a scenario's hazards through the batch engine.

Sample ``i`` of master seed ``m`` is drawn from the streams of its seeding block
(``SeedSequence(m).spawn`` children, :mod:`outage_sim.hazards.draws`), so it depends on ``m`` and
``i`` alone: the results are the same however the samples are split into chunks, threads or Dask
workers. ``outage-sim run SCENARIO --seed m --sample i`` (:func:`run_scenario` ``sample=i``)
replays sample ``i`` through the single engine.

Work is done in chunks (:func:`~outage_sim.studies.mc_chunk.run_chunk`): draw the outages of
samples ``start:stop`` as matrices, one :func:`outage_sim.engine.run_batch` call, reduce.
:func:`run_montecarlo` runs the chunks in this process (with a progress bar,
:mod:`outage_sim.progress`) or on a Dask cluster (``workers`` starts a local one when the sweep
is large enough to pay for it, :data:`LOCAL_CLUSTER_MIN_SAMPLES`; ``scheduler`` uses an existing
one).
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from outage_sim.engine import scenario_seed
from outage_sim.errors import InputError, ModelError, OutageSimError
from outage_sim.outputs import save_figure, write_outputs
from outage_sim.progress import track
from outage_sim.severity import level_frame
from outage_sim.studies.mc_chunk import KINDS, MonteCarloSetup, build_targets, run_chunk
from outage_sim.studies.scenario import Scenario

__all__ = ["DEFAULT_CHUNK", "MONTECARLO_FILES", "MonteCarloResult", "MonteCarloSetup", "prepare",
           "run_chunk", "run_montecarlo", "sample_seed"]

#: Samples per chunk in this process (the progress bar's step; the batch engine's memory is
#: bounded by its own chunks).
DEFAULT_CHUNK = 2000
#: On Dask: chunks of at least this many samples (a task's overhead, about 10 ms, stays small)
#: and at most :data:`DASK_MAX_CHUNK` (a task's memory), about :data:`DASK_CHUNKS_PER_WORKER`
#: per worker so that a slow or restarted worker does not hold the sweep up for long.
DASK_MIN_CHUNK, DASK_MAX_CHUNK, DASK_CHUNKS_PER_WORKER = 2000, 20_000, 4
#: Below this many samples ``workers`` runs in this process: starting a local cluster costs more
#: than it saves. ice_storm_2008 on 2 shared, saturated cores (benchmarks/bench_montecarlo.py
#: --crossover 10000,30000): 2 workers took 1.5× and 1.4× the serial time; from CPU time (--cpu)
#: and a 1-5 s start, 2 idle cores would cross near 20,000. Set above both, to be revised when
#: measured on an idle machine.
LOCAL_CLUSTER_MIN_SAMPLES = 60_000
MONTECARLO_FILES = ("summary.json", "samples.csv", "districts.csv", "levels.png", "districts.png",
                    "shed_histogram.png")


def sample_seed(master: int, i: int) -> int:
    """The seed of sample ``i`` of master seed ``master``: the batch engine's
    :func:`~outage_sim.engine.scenario_seed` (its cascade draws; the seeded restorations of
    ``montecarlo --restoration`` replay one ``outage-sim run --seed`` each)."""
    return scenario_seed(master, i)


def prepare(scenario: Scenario) -> MonteCarloSetup:
    """Apply the scenario's conditions (heat wave) and compute each hazard's failure table, in
    the order ``outage-sim run`` draws them; compile the grid for the batch engine."""
    from outage_sim.engine import compile_batch
    from outage_sim.grid import distribution_blocks
    from outage_sim.hazards import (
        DrawTable,
        apply_conditions,
        block_load_matrix,
        block_probabilities,
        failure_probabilities,
        hazard_context,
        resolve_fault,
    )

    net = scenario.build_net()
    ctx = hazard_context(net)
    tables = []
    for spec in scenario.hazards:
        apply_conditions(net, spec, context=ctx)
        tables.append(failure_probabilities(net, spec, context=ctx))
    fixed = [(o.element, o.index) for f in scenario.faults
             for o in resolve_fault(net, f.kind, f.name)]
    blocks = distribution_blocks()
    probs = block_probabilities(blocks, scenario.hazards)
    dist = ((probs.p_110, probs.p_feeder, blocks["feeders"].to_numpy(np.int64),
             block_load_matrix(net, blocks)) if probs.exposed else None)
    bm = compile_batch(net)
    rows = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(
        {"element": [], "index": []})
    kinds, positions = _places(bm, zip(rows["element"], rows["index"]))
    fixed_kinds, fixed_pos = _places(bm, fixed)
    fixed_places = [(KINDS[k], int(p)) for k, p in zip(fixed_kinds, fixed_pos) if k >= 0]
    return MonteCarloSetup(model=bm, tables=tuple(DrawTable.from_table(t) for t in tables),
                           targets=build_targets(kinds, positions, fixed_places),
                           mode=scenario.mode, cascade_threshold=scenario.cascade_threshold,
                           scenario_name=scenario.name, distribution=dist)


def _places(bm, components) -> tuple[np.ndarray, np.ndarray]:
    """Each component's OutageMatrix array (index into KINDS; −1 when out before the event) and
    position, checked as :meth:`OutageMatrix.set` checks them."""
    kinds, positions = [], []
    for element, index in components:
        kind, pos = bm.positions.get((str(element), int(index)), (None, -1))
        if kind is None and bm.known and (str(element), int(index)) not in bm.known:
            raise InputError(f"outages: {element} {index!r} is not in net.{element}")
        kinds.append(-1 if kind is None else KINDS.index(kind))
        positions.append(pos)
    return np.array(kinds, np.int64), np.array(positions, np.int64)


@dataclass(frozen=True)
class MonteCarloResult:
    """The sweep: one row per sample, and the summaries planners ask for."""

    samples: pd.DataFrame           # sample, level_rank, level, shed_mw, customers_out, failed, ...
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
            "worst": w[["sample", "level", "level_en", "level_rank", "shed_mw", "customers_out",
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
                   chunk: int | None = None, workers: int | None = None,
                   scheduler: str | None = None, progress: bool = False,
                   cluster_min_samples: int = LOCAL_CLUSTER_MIN_SAMPLES) -> MonteCarloResult:
    """Run ``samples`` draws of the scenario's hazards (master seed: ``seed`` or the scenario's).

    ``chunk``: samples per chunk (default :data:`DEFAULT_CHUNK` in this process, and on Dask
    :func:`dask_chunk`); the results do not depend on it. ``workers``: a local Dask cluster of
    that many processes, for sweeps of at least ``cluster_min_samples`` (smaller ones run here,
    which is faster); ``scheduler``: an existing Dask cluster, whatever the size.
    """
    if samples < 1:
        raise InputError("--samples: must be at least 1")
    if chunk is not None and chunk < 1:
        raise InputError("--chunk: must be at least 1")
    if workers is not None and scheduler is not None:
        raise InputError("--workers and --scheduler: give one or the other")
    if workers is not None and workers < 1:
        raise InputError("--workers: must be at least 1")
    master = scenario.seed if seed is None else int(seed)
    on_dask = scheduler is not None or (workers is not None
                                        and samples >= cluster_min_samples)
    if on_dask and scheduler is None:
        _forkserver_with_engine()  # its imports overlap the set-up below
    setup = prepare(scenario)
    if on_dask:
        size = chunk or dask_chunk(samples, workers or 2)
        ranges = [(i, min(samples, i + size)) for i in range(0, samples, size)]
        parts = _run_dask(setup, master, ranges, workers, scheduler, progress)
    else:
        size = chunk or DEFAULT_CHUNK
        ranges = [(i, min(samples, i + size)) for i in range(0, samples, size)]
        parts = [run_chunk(setup, master, a, b) for a, b in
                 track(ranges, "蒙特卡洛 Monte-Carlo chunks", enabled=progress)]
    return _assemble(setup, parts, master)


def dask_chunk(samples: int, workers: int) -> int:
    """Samples per Dask task: about :data:`DASK_CHUNKS_PER_WORKER` tasks per worker, within
    :data:`DASK_MIN_CHUNK` … :data:`DASK_MAX_CHUNK`."""
    even = -(-samples // (DASK_CHUNKS_PER_WORKER * max(1, workers)))
    return int(min(DASK_MAX_CHUNK, max(DASK_MIN_CHUNK, even)))


#: Times Dask re-runs a chunk that raised (a chunk whose worker died is re-run anyway, up to
#: the scheduler's ``distributed.scheduler.allowed-failures``).
DASK_RETRIES = 3


def _run_dask(setup, master, ranges, workers, scheduler, progress) -> list[dict]:
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
        futures = [client.submit(run_chunk, ref, master, a, b, pure=False, retries=DASK_RETRIES)
                   for a, b in ranges]
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

    import dask
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
        # the workers' statistical profiler costs a busy worker CPU for nothing we read
        with (dask.config.set({"distributed.worker.multiprocessing-method": "forkserver",
                               "distributed.worker.profile.enabled": False}),
              LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=None,
                           silence_logs=logging.CRITICAL) as cluster,
              Client(cluster) as client):
            yield client


#: Imported once by the fork server that local workers are forked from (Dask's own list, and
#: the chunk's modules): a worker starts in about a second instead of importing them itself
#: (spawned workers took 15-20 s to start on 2 busy cores, more than 50,000 samples' work).
FORKSERVER_PRELOAD = ("distributed", "numpy", "pandas", "scipy", "outage_sim.studies.mc_chunk")


def _forkserver_with_engine() -> None:
    """Start the fork server importing :data:`FORKSERVER_PRELOAD` (a no-op once it runs).

    The fork server is a fresh single-threaded process, so forking from it is safe where
    forking this (threaded) process would not be; it runs with one BLAS thread (Dask's
    ``distributed.nanny.pre-spawn-environ``), as spawned workers would."""
    import multiprocessing
    import multiprocessing.forkserver
    import os

    import dask
    from distributed.utils import get_mp_context

    with dask.config.set({"distributed.worker.multiprocessing-method": "forkserver"}):
        get_mp_context()  # Dask sets its own preload list first, once
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(FORKSERVER_PRELOAD))
    env = dask.config.get("distributed.nanny.pre-spawn-environ", default={}) or {}
    os.environ.update({k: str(v) for k, v in env.items()})  # as the nanny does before a spawn
    multiprocessing.forkserver.ensure_running()


def _assemble(setup: MonteCarloSetup, parts: list[dict], master: int) -> MonteCarloResult:
    from outage_sim.severity import load_plan

    bm = setup.model
    per_sample = [k for k in parts[0] if k not in ("dark_count", "shed_sum_mw")]
    cat = {k: np.concatenate([p[k] for p in parts]) for k in per_sample}
    n = len(cat["sample"])
    plan = load_plan()
    frame = level_frame(plan, cat["rank"], cat["decided_scope"], cat["decided_measure"],
                        bm.district_names)
    frame.insert(0, "sample", cat["sample"])
    frame = frame.assign(shed_mw=np.round(cat["shed_mw"], 3),
                         shed_pct=np.round(100 * cat["shed_mw"] / bm.demand.sum(), 3),
                         customers_out=cat["customers_out"], failed=cat["failed"],
                         uncertain=cat["uncertain"])
    ranks = np.arange(plan.max_rank, -1, -1)
    counts = np.bincount(cat["rank"].astype(int), minlength=plan.max_rank + 1)
    levels = level_frame(plan, ranks, np.full(len(ranks), -2), np.full(len(ranks), -1), ())
    levels = levels[["level", "level_en", "level_rank"]].assign(probability=counts[ranks] / n)
    names = list(bm.district_names)
    dark = pd.DataFrame({"district": names,
                         "p_dark": sum(p["dark_count"] for p in parts) / n})
    mean_shed = pd.DataFrame({"district": names,
                              "mean_shed_mw": sum(p["shed_sum_mw"] for p in parts) / n,
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
