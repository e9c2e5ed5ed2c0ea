"""The share of CPU that ``outage-sim run SCENARIO --out DIR`` spends in plotting, for the largest
shipped scenario (``city_earthquake``: the most failed elements and repair jobs, the longest
restoration), run in-process under cProfile. The issue's bound: under 15%.
Nothing here asserts a time.

Plotting is the CPU spent on behalf of the figures: the figure modules of
:mod:`outage_sim.reports` and :func:`outage_sim.outputs.save_figure`, and everything they call
(matplotlib's drawing, layout, fonts, Pillow's PNG encoder, numpy). A function called both for
the figures and for other work counts in the share of its time its callers give it
(:func:`plotting_share`). Imports are not plotting, except of the figure modules themselves:
pandapower imports ``matplotlib.pyplot`` whether or not a figure is drawn.

Run: ``python benchmarks/bench_run_plotting.py [--scenario city_earthquake] [--repeat 3]``;
or read a profile of a fresh process (which pays every import once), made with
``python -m cProfile -o prof.out -m outage_sim run city_earthquake --out DIR --force``:
``python benchmarks/bench_run_plotting.py --profile prof.out``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from outage_sim.cli import app

LARGEST = "city_earthquake"
LIMIT = 0.15
#: Our code that draws or saves figures: the roots of plotting in a profile.
_FIGURE_MODULES = tuple(f"/outage_sim/reports/{m}.py" for m in (
    "figures", "fonts", "recovery", "maps", "band", "labels", "footprint", "montecarlo"))
#: Functions elsewhere that draw or save figures (report.html's, then and now).
_FIGURE_FUNCTIONS = {"/outage_sim/outputs.py": {"save_figure"},
                     "/outage_sim/reports/html.py": {"_png", "_recovery_figures", "_map_section",
                                                     "_run_figures"}}


def is_plotting(func: tuple[str, int, str]) -> bool:
    """Whether a profiled function (file, line, name) is figure code of ours."""
    path = func[0].replace("\\", "/")
    return path.endswith(_FIGURE_MODULES) or any(
        path.endswith(f) and func[2] in names for f, names in _FIGURE_FUNCTIONS.items())


def plotting_share(stats: pstats.Stats, rounds: int = 100) -> tuple[float, float]:
    """``(plotting CPU s, total CPU s)`` of a profile.

    Each function's own time counts as plotting in the fraction ``p`` of its calls made on
    behalf of plotting code: 1 for plotting code itself; for anything else the average of its
    callers' ``p`` weighted by the time each caller spent in it, iterated to a fixed point (so a
    built-in called by numpy called by matplotlib is plotting too). A module body (an import)
    is plotting when the module is: importing matplotlib is, importing pandapower is not,
    whoever imports them. cProfile keeps one level of callers, so a function shared by plotting
    and other code is split in proportion, not by its actual stacks.
    """
    table = stats.stats  # type: ignore[attr-defined]
    fixed = {f for f in table if is_plotting(f) or f[2] == "<module>"}
    frac = {f: 1.0 if is_plotting(f) else 0.0 for f in table}
    for _ in range(rounds):
        moved = 0.0
        for f, (_cc, _nc, _tt, _ct, callers) in table.items():
            weight = sum(edge[3] for edge in callers.values())
            if f in fixed or weight <= 0:
                continue
            p = sum(edge[3] * frac.get(c, 0.0) for c, edge in callers.items()) / weight
            moved = max(moved, abs(p - frac[f]))
            frac[f] = p
        if moved < 1e-9:
            break
    total = sum(v[2] for v in table.values())
    return sum(v[2] * frac[f] for f, v in table.items()), total


def profile_run(scenario: str, out: Path) -> pstats.Stats:
    """``outage-sim run SCENARIO --out OUT --force -q`` in this process under cProfile."""
    prof = cProfile.Profile()
    prof.enable()
    result = CliRunner().invoke(app, ["run", scenario, "--out", str(out), "--force", "-q"])
    prof.disable()
    if result.exit_code != 0:
        raise SystemExit(f"run {scenario} failed ({result.exit_code}): {result.output}")
    return pstats.Stats(prof)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=LARGEST)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", type=Path, help="Only read this saved profile.")
    args = ap.parse_args()
    if args.profile is not None:
        plot_s, total_s = plotting_share(pstats.Stats(str(args.profile)))
        print(f"{args.profile}: plotting {plot_s:.2f} s of {total_s:.2f} s CPU "
              f"({plot_s / total_s:.1%})")
        return
    print(f"run {args.scenario} --out (in-process, cProfile): one cold run, which pays the "
          f"imports as a fresh `outage-sim run` does, then {args.repeat} warm runs")
    print(f"{'run':<6}{'plotting s':>12}{'total s':>10}{'share':>9}")
    shares = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.repeat + 1):
            plot_s, total_s = plotting_share(profile_run(args.scenario, Path(tmp) / "out"))
            shares.append(plot_s / total_s)
            print(f"{'cold' if i == 0 else i:<6}{plot_s:>12.2f}{total_s:>10.2f}{shares[-1]:>9.1%}")
    warm = shares[1:] or shares
    print(f"plotting share of CPU: cold {shares[0]:.1%}; warm min {min(warm):.1%}  median "
          f"{statistics.median(warm):.1%}  max {max(warm):.1%}  (bound {LIMIT:.0%})")


if __name__ == "__main__":
    main()
