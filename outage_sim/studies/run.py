"""One scenario through the whole chain: faults and hazards → load shed → severity → response.

:func:`run_scenario` is what ``outage-sim run`` calls; :class:`RunResult` carries each stage's
result and writes the JSON every other tool reads: the classification with the keys of
``outage-sim classify --json`` (``level``, ``level_rank``, ``criteria``, ...) at the top level,
``response`` with the keys of ``outage-sim respond --json``, and ``shed`` beside them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from outage_sim.engine import ShedResult, scenario_seed, shed_load, with_distribution
from outage_sim.errors import InputError
from outage_sim.grid import distribution_blocks
from outage_sim.hazards import draw_distribution
from outage_sim.outputs import Writer, check_output, write_outputs
from outage_sim.response import ResponsePlan, build_response, respond_output
from outage_sim.response import markdown as response_markdown
from outage_sim.severity import Severity, classify
from outage_sim.studies.scenario import HAZARD_CAUSE, Scenario, draw_outages

#: Version of the ``result.json`` contract: the major part changes when a key is removed or
#: changes meaning, the minor part when keys are added. 1.1 added ``schema_version`` itself;
#: 2.0: ``response.reports`` has one entry per reporting body (``by`` one body, not a joined
#: list), a ``first`` report at every level, reports sorted by due time with ``immediate`` and
#: ``due_zh``; added ``shed.base_state``, ``restoration.aftermath``, the affected districts and
#: minor impacts. 2.1: added inside ``restoration`` (transfer, emergency power, ``first_hours``;
#: issue 15) and inside ``shed`` (``ac``: ``method``, ``iterations``, ``ac_shed_mw``, ``secure``,
#: ``alerts``, ``open_ends``; ``cascade_rounds`` entries: ``time_s``, ``cause``; issue 16).
RESULT_SCHEMA_VERSION = "2.1"

RUN_FILES = ("result.json", "response.md", "districts.csv", "report.html", "districts.geojson")


def _all_outputs() -> tuple[str, ...]:
    """Every file a run may write: the three above, the restoration tables and figures."""
    from outage_sim.reports import FIGURES, RESTORATION_FILES

    return RUN_FILES + RESTORATION_FILES + tuple(f"{f}.png" for f in FIGURES)


def check_out_dir(out_dir: str | Path, *, force: bool = False, extra: tuple[str, ...] = ()) -> Path:
    """Refuse an output folder that is a file, cannot be written or already holds our files
    (unless ``force``), before anything is computed (:func:`outage_sim.outputs.check_output`);
    ``extra`` names more files the caller will write there."""
    return check_output(out_dir, _all_outputs() + tuple(extra), force=force)


@dataclass(frozen=True)
class RunResult:
    """Everything one scenario run produced."""

    scenario: Scenario
    shed: ShedResult
    severity: Severity
    response: ResponsePlan
    hazard_notes: tuple[str, ...]
    seed: int
    net: Any = field(default=None, repr=False, compare=False)  # the event's grid (for restoration)
    restoration: Any = field(default=None, repr=False, compare=False)
    # failures beneath the transmission model (hazards.DistributionDraw), None when none
    distribution: Any = field(default=None, repr=False, compare=False)

    @property
    def model_version(self) -> str:
        return self.shed.model_version

    def to_dict(self) -> dict:
        """The run's JSON (``result.json``): ``schema_version``, the classification keys,
        ``event``, ``response``, ``shed``, ``scenario`` (schema: ``outage-sim schema result``)."""
        out = {"schema_version": RESULT_SCHEMA_VERSION, **respond_output(self.response)}
        out["scenario"] = {"name": self.scenario.name, "description": self.scenario.description,
                           "file": self.scenario.source_file, "level": self.scenario.level,
                           "mode": self.scenario.mode, "time": self.scenario.time.isoformat()}
        out["seed"] = self.seed
        out["model_version"] = self.model_version
        out["hazard_notes"] = list(self.hazard_notes)
        out["shed"] = self.shed.to_dict()
        if self.restoration is not None:
            out["restoration"] = self.restoration.to_dict()
        return out

    def write(self, out_dir: str | Path, *, force: bool = False,
              extra: Mapping[str, Writer] | None = None) -> list[Path]:
        """Write ``result.json``, ``response.md``, ``districts.csv``, the self-contained
        ``report.html`` and ``districts.geojson`` (the districts on their outlines, for GIS)
        into ``out_dir``; with a
        restoration run also ``timeline.csv``, ``events.csv``, ``district_timeline.csv``,
        ``jobs.csv`` and the figures (``recovery.png``, ``customers_out.png``, ``levels.png``,
        ``district_map.png``); ``extra`` (name → text, bytes or a function writing the path it
        is given) more files of the same set.

        All or nothing (:func:`outage_sim.outputs.write_outputs`): the files appear together
        when every one is complete; an interrupted or failed write leaves the folder as it was.
        Existing files are never overwritten unless ``force``: the user's work is not lost. With
        ``force``, files an earlier run left there that this run does not write (its figures,
        after a run without restoration) are removed, so the folder never mixes two runs.
        """
        from outage_sim.reports import (
            GEOJSON_FILE,
            REPORT_FILE,
            districts_geojson,
            html_report,
            render_figures,
        )

        check_out_dir(out_dir, force=force, extra=tuple(extra or ()))  # every file a run writes
        rest = self.restoration
        # with restoration, response.md carries the report clock rebuilt for the end time
        plan = rest.response if rest is not None else self.response
        figures = None  # without restoration the report draws its one map itself
        files: dict[str, Writer] = dict(zip(RUN_FILES[:3], (
            json.dumps(self.to_dict(), ensure_ascii=False, indent=2, default=str),
            response_markdown(plan), self.shed.districts.to_csv(index=False))))
        if rest is not None:
            files.update({name: table.round(4).to_csv(index=False) for name, table in (
                ("timeline.csv", rest.timeline), ("events.csv", rest.events),
                ("district_timeline.csv", rest.districts), ("jobs.csv", rest.jobs))})
            # each figure drawn once: the same bytes go to its file and into report.html
            figures = render_figures(rest.timeline, rest.districts,
                                     termination_h=rest.terminated_h, map_options={
                                         "failed": self.shed.to_dict()["failed"],
                                         "hazards": self.scenario.hazards})
            files.update(figures)
        files[REPORT_FILE] = html_report(self, None, rest, rendered=figures)
        files[GEOJSON_FILE] = districts_geojson(self, rest)  # for GIS: the table on the outlines
        files.update(extra or {})
        return write_outputs(out_dir, files, force=force, stale=_all_outputs())


def run_scenario(scenario: Scenario, *, seed: int | None = None, ac_check: bool = True,
                 restore: bool = True, policy: str | None = None,
                 sample: int | None = None) -> RunResult:
    """Run one realisation of a scenario (``seed`` overrides the scenario's; with ``sample``,
    the realisation is Monte-Carlo sample ``sample`` of master seed ``seed``, as
    :func:`run_montecarlo` drew it).

    The defaults are those of ``outage-sim run``: the AC check runs (``--no-ac`` is
    ``ac_check=False``) and the restoration is simulated (:func:`outage_sim.restoration.restore`,
    under ``policy`` or the scenario's) and kept in ``restoration`` (``--no-restoration`` is
    ``restore=False``, leaving ``restoration`` None).
    """
    seed = scenario.seed if seed is None else seed
    net = scenario.build_net()
    if sample is not None and sample < 0:
        raise InputError(f"--sample: must be at least 0, got {sample}")
    outages, notes = draw_outages(scenario, net, seed, sample)
    if sample is not None:
        notes = [f"蒙特卡洛抽样 Monte-Carlo sample {sample} of master seed {seed}", *notes]
    # a Monte-Carlo sample's cascade draws come from its own seed (engine.scenario_seed)
    shed = shed_load(net, outages, mode=scenario.mode, cascade_threshold=scenario.cascade_threshold,
                     ac_check=ac_check, seed=seed if sample is None else scenario_seed(seed, sample))
    dist = draw_distribution(net, distribution_blocks(), scenario.hazards, seed, sample)
    if dist is not None and dist.any:
        shed = with_distribution(shed, dist.load_share, dist.load_cause)
        c = dist.summary()
        notes = [*notes, f"配网 distribution: {c['lost_110kv']} 110 kV supplies and {c['feeders_failed']} "
                 f"10 kV feeders failed in {c['blocks_hit']} of the 110 kV stations' areas, "
                 f"{c['customers_cut']:,} customers cut off beneath the transmission model"]
    severity = classify(shed.to_event())
    cause = scenario.cause
    if cause is None:
        cause = HAZARD_CAUSE.get(scenario.hazards[0].type, "other") if scenario.hazards else "equipment"
    # an exercise (演练): the affected districts (largest shed first), key areas, important users
    # cut off, the course of the event and a Chinese 信息来源; every document marked 【演练】
    from outage_sim.response import exercise_context

    response = build_response(severity, scenario.time, cause=cause, secondary=scenario.secondary,
                              **exercise_context(severity, shed, scenario.name, seed))
    result = RunResult(scenario=scenario, shed=shed, severity=severity, response=response,
                       hazard_notes=tuple(notes), seed=seed, net=net, distribution=dist)
    if restore:
        from outage_sim.restoration import restore as simulate

        result = replace(result, restoration=simulate(result, policy=policy))
    return result
