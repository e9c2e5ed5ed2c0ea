"""Drills (应急演练): step through an event and ask what the plan makes the people on duty decide.

A :class:`Drill` loads a scenario, runs it through the whole chain (faults → load shed → level →
response → restoration) and keeps a clock. :meth:`Drill.step` advances the clock; the state at
any moment — load served, the event's current level, whether the §4.3 checks hold — is read off
the restoration timeline (:func:`outage_sim.restoration.restore`). :meth:`Drill.questions` asks
the plan's questions for the current state (:mod:`outage_sim.drill.questions`), with the answer
key computed by the engine: the response plan of the current state is
:func:`outage_sim.response.build_response` of :func:`outage_sim.severity.classify` of the
current district figures, exactly what ``outage-sim respond`` prints for
:meth:`Drill.state_event`. :meth:`Drill.answer` scores an answer and logs it with the drill time
and the wall-clock time.

Scripted injects (追加故障) come from the constructor or from a ``drill:`` section of the scenario
YAML, read by :func:`load_drill` (``outage-sim run`` ignores the section)::

    drill:
      step_min: 30                 # default step of `outage-sim drill`
      injects:
        - at_min: 90               # minutes after the event
          note: 长寿站 transformer fire spreads
          faults:                  # the scenario's fault entries
            - substation: 长寿
          secondary: [environmental]

Notes
-----
An inject re-runs the event from the inject time with the scenario's faults and hazards plus the
injected ones (same seed): repairs finished before the inject are not credited, and crews are
re-planned from their bases. The hazard's end (``end_of_hazard_h``) keeps its clock time. The
report clock runs from the event time, unless an inject raises the event above every level it
had reached: the reports of the new level are then due from the inject time. While the response
runs after the re-graded level has fallen below every band, the command of the last graded
level stays in force (the response stays at Ⅳ级 at least until §4.3 holds).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from outage_sim.drill.questions import (
    Answer,
    Option,
    Question,
    build_questions,
    parse_answer,
    score_answer,
)
from outage_sim.errors import InputError
from outage_sim.hazards import resolve_fault
from outage_sim.response import ResponsePlan, add_minutes, build_response, cn_time
from outage_sim.restoration import CHECKS
from outage_sim.severity import MEASURE_ZH, Severity, classify
from outage_sim.studies import FaultSpec, RunResult, Scenario, load_scenario, run_scenario

__all__ = ["Drill", "DrillState", "Inject", "load_drill"]

_EVENT_COLS = ["name", "load_mw", "shed_mw", "customers", "customers_out"]
# restoration events a step reports (and :meth:`Drill.next_event_min` steps to)
_LOGGED_KINDS = ["milestone", "check_met", "level_change", "step_down", "termination",
                 "black_start", "repair_done"]


@dataclass(frozen=True)
class Inject:
    """A scripted inject: more faults (and secondary incidents) ``at_min`` minutes after the event."""

    at_min: float
    faults: tuple[FaultSpec, ...] = ()
    secondary: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class DrillState:
    """The drill at one moment.

    Attributes
    ----------
    t_min : float
        Minutes after the event.
    clock : datetime
        The event's clock time now.
    event : dict
        The current state as the input of ``outage-sim respond`` (``main``, ``districts``,
        ``time`` — when the report clock started —, ``cause``, ``secondary``).
    severity : Severity
        The current state classified (§1.5): what the response level may be adjusted to.
    plan : ResponsePlan
        The response plan of the event at its peak so far, the one the questions are asked
        about: the event level (for reports and the investigation) does not fall as the load
        comes back; only the response level may be adjusted (§4.1), as a recommendation.
    responding : bool
        The response is running (started and not yet ended).
    checks : dict or None
        The four §4.3 checks now (None without restoration).
    served_mw, shed_mw, restored_pct, customers_out
        Load served and shed now, share of the event's load shed that is back, customers out.
    events : tuple of str
        What happened since the previous step (restoration log and injects), bilingual.
    response_now : str or None
        The response level the current state supports while the response runs (the
        restoration timeline's: never below Ⅳ级 until §4.3 holds), None when not running.
    peak_event : dict
        The event at its peak so far, as ``outage-sim respond`` input (what ``plan`` is of).
    """

    t_min: float
    clock: dt.datetime
    event: dict = field(repr=False)
    severity: Severity = field(repr=False)
    plan: ResponsePlan = field(repr=False)
    responding: bool
    checks: dict[str, bool] | None
    served_mw: float
    shed_mw: float
    restored_pct: float | None
    customers_out: int
    events: tuple[str, ...] = ()
    response_now: str | None = None
    peak_event: dict = field(default_factory=dict, repr=False)

    def summary(self) -> str:
        """A few bilingual lines for a projector: the figures every answer key is read from."""
        # the levels are not shown: they are questions; the figures behind them are
        lines = ["【演练】此为模拟推演信息，非真实事件 / [EXERCISE] not a real event",
                 f"T+{self.t_min:g} min  {cn_time(self.clock)}（北京时间）"] + _figures(self) + [
                 f"  供电负荷 served {self.served_mw:,.0f} MW   减供负荷 shed {self.shed_mw:,.0f} MW"
                 + (f"   恢复 restored {self.restored_pct:.0f}%" if self.restored_pct is not None
                    else "")
                 + f"   停电用户 customers out {self.customers_out:,}",
                 "  应急响应 response: " + ("进行中 running" if self.responding
                                           else "未启动或已终止 not running")]
        lines += [f"  · {e}" for e in self.events]
        return "\n".join(lines)


def _share(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "0%"


def _figures(s: DrillState) -> list[str]:
    """The figures behind the answer keys: the event at its peak (the event level) and now (the
    response level it supports), with the districts whose own criteria fire now."""
    out = []
    for label, sev in (("峰值 peak", s.plan.severity), ("当前 now", s.severity)):
        m = sev.event.main
        out.append(f"  {label}: 主网减供负荷 main grid shed {m.shed_mw:,.0f} MW "
                   f"({_share(m.shed_mw, m.load_mw)})   停电用户 customers out "
                   f"{m.customers_out:,.0f} ({_share(m.customers_out, m.customers)})")
    firing = [c for c in s.severity.criteria if c.scope != "main"]
    if firing:  # with the class and the pre-event load that put the district in it
        parts = []
        for c in firing:
            area = s.severity.district(c.scope)
            load = f"，事件前负荷 pre-event load {area.load_mw:,.1f} MW" if area else ""
            parts.append(f"{c.scope} {MEASURE_ZH[c.measure]} {c.measure} {c.value_pct:.1f}% "
                         f"({c.district_class}{load})")
        out.append("  区县达到分级标准 districts meeting a §1.5 criterion now: " + "；".join(parts))
    return out


@dataclass(frozen=True)
class _Segment:
    """The event from ``start_min`` on: a run and its restoration."""

    start_min: float
    run: RunResult
    restoration: Any
    clock_min: float  # report clock start (minutes after the event)


def _parse_inject(obj: Any, where: str, scenario: Scenario) -> Inject:
    if isinstance(obj, Inject):
        raw_faults, at, secondary, note = obj.faults, obj.at_min, obj.secondary, obj.note
    elif isinstance(obj, dict):
        unknown = set(obj) - {"at_min", "faults", "secondary", "note"}
        if unknown:
            raise InputError(f"{where}.{sorted(unknown)[0]}: unknown field; use at_min, faults, "
                             "secondary, note")
        at, raw_faults = obj.get("at_min"), obj.get("faults") or []
        secondary, note = obj.get("secondary") or [], str(obj.get("note") or "")
    else:
        raise InputError(f"{where}: an inject must be a mapping with at_min and faults")
    if isinstance(at, bool) or not isinstance(at, (int, float)) or not 0 < at <= 60 * 24 * 365:
        raise InputError(f"{where}.at_min: must be minutes after the event above 0, got {at!r}")
    if not isinstance(raw_faults, (list, tuple)) or not isinstance(secondary, (list, tuple)):
        raise InputError(f"{where}.faults: must be a list of fault entries")
    faults = []
    net = None
    for i, f in enumerate(raw_faults):
        try:
            spec = f if isinstance(f, FaultSpec) else FaultSpec.model_validate(f)
        except ValidationError as exc:
            msg = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise InputError(f"{where}.faults[{i}]: {msg}") from None
        net = net if net is not None else scenario.build_net()
        try:
            resolve_fault(net, spec.kind, spec.name)
        except InputError as exc:
            raise InputError(f"{where}.faults[{i}].{spec.kind}: {exc}") from None
        faults.append(spec)
    if not faults and not secondary:
        raise InputError(f"{where}: an inject needs faults or secondary incidents")
    from outage_sim.response import canonical_secondary

    sec = tuple(canonical_secondary(s, f"{where}.secondary[{i}]") for i, s in enumerate(secondary))
    return Inject(float(at), tuple(faults), sec, note)


def load_drill(path: str | Path) -> tuple[Scenario, list[dict], dict]:
    """Read a scenario YAML (a path or a built-in name) and its optional ``drill:`` section.

    Returns the checked scenario, the raw inject entries and the other drill settings
    (``step_min``). The same file runs with ``outage-sim run``, which ignores the section.
    """
    scenario = load_scenario(path)
    drill = scenario.drill or {}
    unknown = set(drill) - {"injects", "step_min"}
    if unknown:
        raise InputError(f"drill.{sorted(unknown)[0]}: unknown field; use injects, step_min")
    injects = drill.get("injects") or []
    if not isinstance(injects, list):
        raise InputError("drill.injects: must be a list")
    settings = {k: v for k, v in drill.items() if k != "injects"}
    return scenario, injects, settings


class Drill:
    """A drill session over one scenario (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        A checked scenario (:func:`outage_sim.studies.load_scenario`).
    injects : sequence of Inject or mapping, optional
        Scripted injects (mappings as in the ``drill:`` section).
    seed : int, optional
        Override the scenario's seed.
    restore : bool
        Simulate restoration (the clock then moves load, level and the §4.3 checks); without it
        the state stays that of the event and "may the response end?" is not asked.
    policy : str, optional
        Restoration policy (default: the scenario's).
    ac_check : bool
        Run the AC check of the load-shed engine.
    step_min : float
        Default step of :meth:`step`.
    """

    def __init__(self, scenario: Scenario, injects=(), *, seed: int | None = None,
                 restore: bool = True, policy: str | None = None, ac_check: bool = False,
                 step_min: float = 30.0) -> None:
        if not isinstance(scenario, Scenario):
            raise InputError("scenario: give a Scenario (outage_sim.studies.load_scenario) or a path")
        if not 0 < step_min <= 60 * 24 * 365:  # also refuses NaN and infinity
            raise InputError(f"step_min: must be minutes above 0, at most a year, got "
                             f"{step_min!r}")
        self.scenario = scenario
        self.injects = tuple(sorted((_parse_inject(x, f"drill.injects[{i}]", scenario)
                                     for i, x in enumerate(injects)), key=lambda x: x.at_min))
        self.seed, self.restore, self.policy, self.ac_check = seed, restore, policy, ac_check
        self.step_min = float(step_min)
        self.t_min = 0.0
        self._answers: list[Answer] = []
        self._segments = [self._segment(scenario, 0.0, 0.0)]
        self._applied = 0
        self._top_rank = self._segments[0].run.severity.level_rank
        self._pending: list[str] = []

    @classmethod
    def from_scenario(cls, source: str | Path | Scenario, injects=None, **kwargs) -> Drill:
        """A drill from a scenario file (its ``drill:`` section read too), a built-in scenario's
        name (``"core_station_fire"``) or a Scenario.

        Injects given here come after (and add to) those of the file.
        """
        if isinstance(source, Scenario):
            return cls(source, injects or (), **kwargs)
        scenario, file_injects, settings = load_drill(source)
        if "step_min" in settings and "step_min" not in kwargs:
            step = settings["step_min"]
            if isinstance(step, bool) or not isinstance(step, (int, float)) \
                    or not 0 < step <= 60 * 24 * 365:  # also refuses NaN and infinity
                raise InputError(f"drill.step_min: must be minutes above 0, at most a year, "
                                 f"got {step!r}")
            kwargs["step_min"] = float(step)
        return cls(scenario, list(file_injects) + list(injects or ()), **kwargs)

    # --- running the event ---------------------------------------------------------------

    def _segment(self, scenario: Scenario, start_min: float, clock_min: float) -> _Segment:
        run = run_scenario(scenario, seed=self.seed, ac_check=self.ac_check, restore=self.restore,
                           policy=self.policy)
        return _Segment(start_min, run, run.restoration, clock_min)

    def _apply(self, inject: Inject) -> None:
        sc = self._segments[-1].run.scenario
        base = self.scenario
        update: dict[str, Any] = {
            "time": add_minutes(base.time, inject.at_min),
            "faults": list(sc.faults) + list(inject.faults),
            "secondary": list(dict.fromkeys(list(sc.secondary) + list(inject.secondary)))}
        if base.end_of_hazard_h is not None:
            update["end_of_hazard_h"] = max(0.0, base.end_of_hazard_h - inject.at_min / 60)
        seg = self._segment(sc.model_copy(update=update), inject.at_min, self._segments[-1].clock_min)
        rank = seg.run.severity.level_rank
        if rank > self._top_rank:  # a higher level: its reports run from now
            seg = _Segment(seg.start_min, seg.run, seg.restoration, inject.at_min)
            self._top_rank = rank
        self._segments.append(seg)
        what = "; ".join(f"{f.kind} {f.name}" for f in inject.faults)
        what += ("; " if what and inject.secondary else "") + (
            "secondary 次生事件: " + ", ".join(inject.secondary) if inject.secondary else "")
        self._pending.append(f"追加故障 INJECT at T+{inject.at_min:g} min: {what}"
                             + (f" — {inject.note}" if inject.note else ""))

    def step(self, minutes: float | None = None) -> DrillState:
        """Advance the clock by ``minutes`` (default :attr:`step_min`), applying the injects
        that fall due, and return the new state."""
        minutes = self.step_min if minutes is None else minutes
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not minutes > 0:
            raise InputError(f"minutes: must be above 0, got {minutes!r}")
        before = self.t_min
        self.t_min = before + float(minutes)
        notes = self._log_between(before, self.t_min)
        while self._applied < len(self.injects) and self.injects[self._applied].at_min <= self.t_min:
            self._apply(self.injects[self._applied])
            self._applied += 1
        state = self.state
        events = tuple(notes + self._pending)
        self._pending = []
        return DrillState(**{**state.__dict__, "events": events})

    def _log_between(self, t0: float, t1: float) -> list[str]:
        seg = self._segments[-1]
        rest = seg.restoration
        if rest is None or rest.events.empty:
            return []
        ev = rest.events
        local0, local1 = (t0 - seg.start_min) / 60, (t1 - seg.start_min) / 60
        keep = ev[(ev.t_h > local0) & (ev.t_h <= local1) & ev.kind.isin(_LOGGED_KINDS)]
        return [f"{r.time[11:16]} {r.kind_zh} {r.what}" for r in keep.itertuples()]

    def next_event_min(self) -> float | None:
        """Minutes after the event of the next thing to happen after now — an inject or a
        restoration event a step reports (repair done, milestone, level change, a §4.3 check
        met, the end) — or None when nothing is left."""
        times = [self.injects[self._applied].at_min] if self._applied < len(self.injects) else []
        seg = self._segments[-1]
        ev = seg.restoration.events if seg.restoration is not None else None
        if ev is not None and not ev.empty:
            t = seg.start_min + 60.0 * ev.t_h[ev.kind.isin(_LOGGED_KINDS)].to_numpy(float)
            times += [float(x) for x in t[t > self.t_min + 1e-6]]
        return min(times) if times else None

    def step_to_next_event(self) -> DrillState:
        """Advance the clock to :meth:`next_event_min` (no steps where nothing happens)."""
        nxt = self.next_event_min()
        if nxt is None:
            raise InputError("nothing is left to happen in this drill")
        return self.step(nxt - self.t_min + 1e-6)  # just past it, so the event is reported

    @property
    def finished(self) -> bool:
        """True once the response has ended (or never started) and no inject is left."""
        s = self.state
        return not s.responding and self._applied == len(self.injects)

    @property
    def end_min(self) -> float | None:
        """Minutes after the event when the response ends in the current run (None if not)."""
        seg = self._segments[-1]
        rest = seg.restoration
        if rest is None or rest.terminated_h is None or self._applied < len(self.injects):
            return None
        return seg.start_min + 60 * rest.terminated_h

    def _row(self, seg: _Segment, t_min: float) -> int | None:
        rest = seg.restoration
        if rest is None:
            return None
        tl = rest.timeline
        return int((tl.t_h <= (t_min - seg.start_min) / 60 + 1e-9).to_numpy().nonzero()[0][-1])

    def _event_at(self, seg: _Segment, row: int | None) -> dict:
        if row is None or row == 0:
            ev = seg.run.shed.to_event()
            table = pd.DataFrame(ev["districts"])
            main = ev["main"]
        else:
            d = seg.restoration.districts
            t = seg.restoration.timeline.t_h.iloc[row]
            table = d[d.t_h == t].rename(columns={"district": "name"})[_EVENT_COLS]
            main = None
        table = table.sort_values("shed_mw", ascending=False, kind="stable")
        touched = (table.shed_mw > 0) | (table.customers_out > 0)
        table = pd.concat([table[touched], table[~touched]])
        districts = [{"name": r.name, "load_mw": float(r.load_mw), "shed_mw": float(r.shed_mw),
                      "customers": int(r.customers), "customers_out": int(r.customers_out)}
                     for r in table.itertuples()]
        sc = seg.run.scenario
        if main is None:  # the districts are the whole grid: the main grid is their sum
            main = {f: sum(d[f] for d in districts) for f in _EVENT_COLS[1:]}
        main = {k: (float(main[k]) if k.endswith("_mw") else int(main[k])) for k in _EVENT_COLS[1:]}
        return {"main": main, "districts": districts,
                "time": add_minutes(self.scenario.time, seg.clock_min).isoformat(),
                "cause": seg.run.response.cause, "secondary": list(sc.secondary)}

    def _plan(self, event: dict) -> tuple[Severity, ResponsePlan]:
        sev = classify({k: event[k] for k in ("main", "districts") if k in event})
        # an exercise: the affected districts (largest shed first), the run's key areas
        base = self._segments[0].run.response
        plan = build_response(sev, dt.datetime.fromisoformat(event["time"]), cause=event["cause"],
                              secondary=event["secondary"], exercise=True,
                              key_areas=base.key_areas, important_users=base.important_users)
        return sev, plan

    def _peak(self, t_min: float, secondary: list[str]) -> tuple[dict, ResponsePlan]:
        """The event at its highest level up to ``t_min`` (the first moment it got there), as
        ``respond`` input and its plan; with the secondary incidents known by now."""
        best: tuple[int, _Segment, int | None] | None = None
        for i, seg in enumerate(self._segments):
            if seg.start_min > t_min:
                break
            end = min(t_min, self._segments[i + 1].start_min if i + 1 < len(self._segments)
                      else t_min)
            if seg.restoration is None:
                cands = [(int(seg.run.severity.level_rank), None)]
            else:
                tl = seg.restoration.timeline
                ranks = tl.level_rank[tl.t_h <= (end - seg.start_min) / 60 + 1e-9]
                cands = [(int(ranks.max()), int(ranks.idxmax()))] if len(ranks) else []
            for rank, row in cands:
                if best is None or rank > best[0]:
                    best = (rank, seg, row)
        assert best is not None  # the first segment starts at 0
        event = {**self._event_at(best[1], best[2]), "secondary": list(secondary)}
        return event, self._plan(event)[1]

    def state_at(self, t_min: float) -> DrillState:
        """The state ``t_min`` minutes after the event under the injects applied so far."""
        seg = next(s for s in reversed(self._segments) if s.start_min <= t_min)
        row = self._row(seg, t_min)
        event = self._event_at(seg, row)
        sev, now = self._plan(event)
        # the event level stays at its peak (§4.1: only the response level is adjusted, as a
        # recommendation)
        peak_event, plan = self._peak(t_min, event["secondary"])
        checks, responding, restored = None, plan.activated, None
        response_now = now.response_level
        served = float(seg.run.shed.main["load_mw"] - seg.run.shed.main["shed_mw"])
        shed = float(seg.run.shed.main["shed_mw"])
        cust = int(seg.run.shed.main["customers_out"])
        if row is not None:
            r = seg.restoration.timeline.iloc[row]
            checks = {c: bool(r[f"check_{c}"]) for c in CHECKS}
            responding = bool(r.responding)
            served, shed, cust = float(r.served_mw), float(r.shed_mw), int(r.customers_out)
            restored = float(r.restored_pct) if seg.run.shed.main["shed_mw"] > 0 else None
            response_now = str(r.response_level) or None  # never below Ⅳ级 while responding
        return DrillState(t_min, add_minutes(self.scenario.time, t_min), event, sev, plan,
                          responding, checks, served, shed, restored, cust,
                          response_now=response_now if responding else None,
                          peak_event=peak_event)

    @property
    def state(self) -> DrillState:
        """The state now."""
        return self.state_at(self.t_min)

    def state_event(self) -> dict:
        """The current state as ``outage-sim respond`` input (JSON-ready)."""
        return self.state.event

    # --- questions and answers -----------------------------------------------------------

    def questions(self) -> tuple[Question, ...]:
        """The plan's questions for the current state, each with its answer key."""
        s = self.state
        splan = self._segments[-1].run.severity.plan
        options = [Option(lv.name, lv.name, lv.name_en) for lv in reversed(splan.levels)]
        options.append(Option("none", "未构成大面积停电事件", "none"))
        return build_questions(s.plan, t_min=self.t_min, level_options=options,
                               checks=s.checks, responding=s.responding, current=s.severity,
                               response_now=s.response_now)

    def answer_key(self) -> dict[str, str | tuple[str, ...] | None]:
        """Question id → answer key now."""
        return {q.id: q.key for q in self.questions()}

    def answer(self, question_id: str, value: Any) -> Answer:
        """Score ``value`` as the answer to ``question_id`` now and log it."""
        qs = {q.id: q for q in self.questions()}
        if question_id not in qs:
            raise InputError(f"question_id: {question_id!r} is not asked now; asked: "
                             f"{', '.join(qs)}")
        q = qs[question_id]
        parsed = parse_answer(q, value, self.scenario.time)
        ans = Answer(question_id, str(value), parsed, q.key, score_answer(q, parsed), self.t_min,
                     add_minutes(self.scenario.time, self.t_min),
                     dt.datetime.now(dt.UTC), q.key_text)
        self._answers.append(ans)
        return ans

    @property
    def answers(self) -> tuple[Answer, ...]:
        """Every answer so far, in order."""
        return tuple(self._answers)

    @property
    def score(self) -> tuple[float, int]:
        """(points, questions answered)."""
        return sum(a.score for a in self._answers), len(self._answers)

    def log(self) -> pd.DataFrame:
        """The answer log: ``t_min``, ``clock``, ``question``, ``given``, ``parsed``, ``key``,
        ``score``, ``answered_at``."""
        log = pd.DataFrame([{"t_min": a.t_min, "clock": a.clock.isoformat(),
                             "question": a.question_id, "given": a.given,
                             "parsed": a.parsed, "key": a.key, "score": a.score,
                             "answered_at": a.answered_at.isoformat()} for a in self._answers],
                           columns=["t_min", "clock", "question", "given", "parsed", "key",
                                    "score", "answered_at"])
        log.attrs["notice"] = "【演练】此为模拟推演信息，非真实事件"  # a drill's log is an exercise's
        return log
