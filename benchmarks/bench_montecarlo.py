"""Monte-Carlo throughput: ice_storm_2008 in this process and on a local Dask cluster of 2
workers, interleaved (serial, Dask, serial, Dask, ...) so that a shared machine's load falls on
both alike; samples per minute, min/median/max, and the speed-up (median serial time over
median Dask time). Times are whole ``run_montecarlo`` calls: set-up, drawing, the batch engine,
severity and assembly (and, on Dask, starting the cluster), not the files.

``--crossover 20000,50000,100000`` repeats the comparison at each size, forcing the cluster even
below ``LOCAL_CLUSTER_MIN_SAMPLES``: where the Dask median time falls below the serial one is the
cross-over. The peak memory of one sweep is measured by running it alone, e.g.
``/usr/bin/time -v outage-sim montecarlo ice_storm_2008 --samples 1000000 -q`` (max RSS).

``--cpu N``: on a shared machine wall times say more about the neighbours than about the code;
this measures the CPU seconds of N samples' chunks (draw, engine, severity, reduction): in this
process, and summed over the workers of a warm local cluster, with the wall times beside them.

Run: ``python benchmarks/bench_montecarlo.py [--samples 200000] [--repeat 3] [--workers 2]``
"""

from __future__ import annotations

import argparse
import logging
import resource
import statistics
import time
import warnings

from timing import timed

from outage_sim.studies import load_scenario, montecarlo, run_montecarlo

warnings.simplefilter("ignore")
logging.disable(logging.WARNING)


def compare(scenario, samples: int, repeat: int, workers: int) -> dict:
    """Interleaved serial and Dask runs of ``samples``: their wall times (seconds)."""
    times: dict[str, list[float]] = {"serial": [], "dask": []}
    for r in range(repeat):
        t, serial = timed(lambda: run_montecarlo(scenario, samples, seed=r))
        times["serial"].append(t)
        t, spread = timed(lambda: run_montecarlo(scenario, samples, seed=r, workers=workers,
                                                 cluster_min_samples=0))
        times["dask"].append(t)
        assert spread.samples.equals(serial.samples), "Dask and serial sweeps differ"
    return times


def report(samples: int, times: dict, workers: int) -> None:
    for label, ts in times.items():
        rate = sorted(samples / t * 60 for t in ts)
        name = "serial" if label == "serial" else f"Dask ×{workers}"
        print(f"  {name:9s} samples/min min {rate[0]:>9,.0f}  median "
              f"{statistics.median(rate):>9,.0f}  max {rate[-1]:>9,.0f}   "
              f"(s: {', '.join(f'{t:.1f}' for t in ts)})")
    speed_up = statistics.median(times["serial"]) / statistics.median(times["dask"])
    print(f"  speed-up of Dask ×{workers} over serial (median times): {speed_up:.2f}×")


def _cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def cpu_per_sample(scenario, n: int, workers: int) -> None:
    """CPU seconds and wall seconds of ``n`` samples' chunks, serial and on a warm cluster."""
    setup = montecarlo.prepare(scenario)
    montecarlo.run_chunk(setup, 0, 0, 200)
    c0, t0 = _cpu_s(), time.perf_counter()
    for a in range(0, n, montecarlo.DEFAULT_CHUNK):
        montecarlo.run_chunk(setup, 1, a, min(n, a + montecarlo.DEFAULT_CHUNK))
    cpu, wall = _cpu_s() - c0, time.perf_counter() - t0
    print(f"  serial    cpu {cpu:6.1f} s ({n / cpu * 60:>9,.0f} samples per CPU-minute), "
          f"wall {wall:6.1f} s")
    montecarlo._forkserver_with_engine()
    with montecarlo._dask_client(workers, None) as client:
        ref = client.submit(montecarlo._setup_task, setup, pure=False)
        client.gather([client.submit(montecarlo.run_chunk, ref, 0, 0, 200, pure=False)
                       for _ in range(2 * workers)])
        before = client.run(_cpu_s)
        size = montecarlo.dask_chunk(n, workers)
        t0 = time.perf_counter()
        client.gather([client.submit(montecarlo.run_chunk, ref, 1, a, min(n, a + size),
                                     pure=False) for a in range(0, n, size)])
        wall = time.perf_counter() - t0
        used = {w: c - before[w] for w, c in client.run(_cpu_s).items()}
    print(f"  Dask ×{workers}   cpu {sum(used.values()):6.1f} s summed, busiest worker "
          f"{max(used.values()):.1f} s, wall {wall:6.1f} s (warm cluster, chunks of {size:,})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--crossover", default="", help="comma-separated sizes")
    ap.add_argument("--cpu", type=int, default=0, help="CPU seconds of this many samples")
    args = ap.parse_args()
    scenario = load_scenario("ice_storm_2008")
    if args.cpu:
        print(f"蒙特卡洛 Monte-Carlo ice_storm_2008, {args.cpu:,} samples: CPU time")
        cpu_per_sample(scenario, args.cpu, args.workers)
        return
    run_montecarlo(scenario, 200)  # imports and caches warm, outside the timings
    sizes = [int(x) for x in args.crossover.split(",") if x] or [args.samples]
    for n in sizes:
        print(f"蒙特卡洛 Monte-Carlo ice_storm_2008, {n:,} samples, {args.repeat} interleaved runs")
        report(n, compare(scenario, n, args.repeat, args.workers), args.workers)


if __name__ == "__main__":
    main()
