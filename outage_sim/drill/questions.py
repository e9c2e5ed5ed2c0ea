"""The questions a drill asks, their answer keys and how answers are scored.

At any point of a drill (:mod:`outage_sim.drill.session`) the plan makes the people on duty answer the
same questions: what level the event is (§1.5; the event level stays at its peak, for reports
and the investigation), what response level the state now supports (§4.1 "适时调整响应级别": a
recommendation, with the figures behind it), which warning colour matches the event and who may
issue it (§3.2), who commands (§2, §4.1), when the telephone report is due (§3.3.1), which member
units act because of the event's cause or secondary incidents (附件“二、成员单位职责”) and whether
the response may end (§4.3). :func:`build_questions` reads every answer key off the engine's own results —
the :class:`~outage_sim.response.ResponsePlan` of the current state and the restoration's §4.3
checks — never from a second copy of the rules; :func:`score_answer` parses what a trainee typed
(Chinese or English) and scores it.

Scoring: 1 or 0 for single answers; for the set of member units, the Jaccard share
(|given ∩ key| / |given ∪ key|), so naming half the units earns partial credit and naming extra
ones costs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from outage_sim.errors import InputError, did_you_mean
from outage_sim.response import ResponsePlan, cn_time, load_organisation
from outage_sim.restoration import CHECK_TEXT, CHECKS
from outage_sim.severity import MEASURE_ZH, NO_LEVEL_ZH

#: Question ids, in the order a drill asks them.
QUESTION_IDS = ("level", "response_level", "warning_color", "warning_issuer", "commander",
                "phone_report", "member_units", "may_end")

#: Triggers every activated unit shares; the others name the cause or a secondary incident.
STANDING_TRIGGERS = frozenset({"all_events", "city_led", "major"})

_NONE_WORDS = frozenset({"none", "no", "n", "无", "没有", "不", "否", "-", "—", "", "null",
                         NO_LEVEL_ZH})
_YES_WORDS = frozenset({"yes", "y", "是", "可以", "能", "true", "1"})
_NO_WORDS = frozenset({"no", "n", "否", "不可以", "不能", "不", "false", "0"})
COLORS = {"red": ("红色", "一级"), "orange": ("橙色", "二级"), "yellow": ("黄色", "三级"),
          "blue": ("蓝色", "四级")}
ISSUER_TEXT = {
    "city": ("市政府、区县政府或市政府授权的部门、单位",
             "the city government, a district government or a unit the city authorises"),
    "district": ("区县政府或其授权的部门、单位",
                 "the district government or a unit it authorises"),
    "none": ("不发布预警", "no warning"),
}


@dataclass(frozen=True)
class Option:
    """One choice of a question: the value to type and its Chinese and English text."""

    value: str
    zh: str
    en: str

    @property
    def text(self) -> str:
        """``value — 中文 / English``."""
        return f"{self.value} — {self.zh} / {self.en}"


@dataclass(frozen=True)
class Question:
    """A question at one point of the drill, with its answer key.

    Attributes
    ----------
    id : str
        One of :data:`QUESTION_IDS`.
    zh, en : str
        The question in Chinese and English.
    kind : {"choice", "multi", "time", "yesno"}
        How the answer is given: one option, several names (comma or 、 separated), a clock time
        (``HH:MM`` or ISO 8601) or "none", yes or no.
    options : tuple of Option
        The choices (empty for ``multi`` and ``time``).
    key : str or tuple of str or None
        The answer key: an option value, the unit names (``multi``), the ISO due time (``time``;
        None when there is no clocked telephone report).
    key_text : str
        The key explained, bilingual (shown with ``--answers`` and after an answer).
    clause : str
        The plan's clause the question tests.
    t_min : float
        Drill minutes at which the question was asked.
    """

    id: str
    zh: str
    en: str
    kind: Literal["choice", "multi", "time", "yesno"]
    options: tuple[Option, ...]
    key: str | tuple[str, ...] | None
    key_text: str
    clause: str
    t_min: float

    @property
    def text(self) -> str:
        """The question in both languages."""
        return f"{self.zh} / {self.en}"


@dataclass(frozen=True)
class Answer:
    """One scored answer, as the drill log keeps it.

    ``t_min`` and ``clock`` are the drill's time (minutes after the event, and the event's clock);
    ``answered_at`` is the wall-clock time the answer was given.
    """

    question_id: str
    given: str
    parsed: str | tuple[str, ...] | None
    key: str | tuple[str, ...] | None
    score: float
    t_min: float
    clock: datetime
    answered_at: datetime
    key_text: str = field(default="", repr=False)

    @property
    def correct(self) -> bool:
        """True when the answer earned full marks."""
        return self.score >= 1.0 - 1e-9


# --- building the questions ------------------------------------------------------------------


def cause_units(plan: ResponsePlan) -> tuple[str, ...]:
    """Member units activated by the event's cause or secondary incidents (Chinese names)."""
    return tuple(u.name_zh for u in plan.member_units
                 if any(t not in STANDING_TRIGGERS for t in u.triggers))


def issuer_key(plan: ResponsePlan) -> str:
    """``city`` when the city government may issue the warning, ``district`` when only district
    governments may, ``none`` without a warning (§3.2.2, read off the plan's issuers)."""
    if plan.warning is None:
        return "none"
    org = load_organisation()
    city = {r.zh for r in org.issuers.get("red", ())} - {r.zh for r in org.issuers.get("blue", ())}
    return "city" if any(r.zh in city for r in plan.warning.issuers) else "district"


def _decided(sev) -> str:
    c = sev.decided_by or (sev.criteria[0] if sev.criteria else None)
    if c is None:
        return ""
    scope = "重庆市主网 main grid" if c.scope == "main" else c.scope
    area = sev.district(c.scope)
    cls = (f" ({c.district_class}，事件前负荷 pre-event load {area.load_mw:,.1f} MW)"
           if c.district_class and area is not None else "")
    return f"; 依据 decided by {scope} {MEASURE_ZH[c.measure]} {c.measure} {c.value_pct:.1f}%{cls}"


def _level_question(plan: ResponsePlan, options: Sequence[Option], t_min: float) -> Question:
    sev = plan.severity  # the event at its peak so far
    if sev.level_rank:
        key = sev.level
        text = (f"{sev.level} {sev.level_en}（事件级别按峰值，用于信息报告和事件调查 / the event level "
                f"is its peak, for reports and the investigation）{_decided(sev)}")
    else:
        key, text = "none", f"{NO_LEVEL_ZH} / not a large-area outage event"
    return Question("level", "本次事件是什么级别的大面积停电事件？（按峰值）",
                    "What level is this event (at its peak)?", "choice", tuple(options), key, text,
                    "§1.5", t_min)


RESPONSE_OPTIONS = (Option("I", "Ⅰ级", "level I"), Option("II", "Ⅱ级", "level II"),
                    Option("III", "Ⅲ级", "level III"), Option("IV", "Ⅳ级", "level IV"),
                    Option("none", "无（已终止或未启动）", "none (ended or not started)"))


def _response_question(current, response_now: str | None, t_min: float) -> Question:
    """The response level the current state supports (a recommendation under §4.1)."""
    key = response_now or "none"
    zh = next(o.zh for o in RESPONSE_OPTIONS if o.value == key)
    m = current.event.main
    shed = 100 * m.shed_mw / m.load_mw if m.load_mw else 0.0
    out = 100 * m.customers_out / m.customers if m.customers else 0.0
    text = (f"{zh} / {key} — 当前状态 now: 主网减供负荷 {m.shed_mw:,.0f} MW（{shed:.1f}%），停电用户 "
            f"{m.customers_out:,.0f}（{out:.1f}%）{_decided(current)}")
    if current.level_rank == 0 and response_now:
        text += "；已低于各级标准，响应保持Ⅳ级直至预案4.3条终止条件满足 / below every band: Ⅳ级 until §4.3"
    return Question("response_level", "按当前状态，应建议什么级别的应急响应？（预案4.1条适时调整）",
                    "What response level does the state now support? (§4.1, a recommendation)",
                    "choice", RESPONSE_OPTIONS, key, text, "§4.1", t_min)


def _color_question(plan: ResponsePlan, t_min: float) -> Question:
    sev = plan.severity
    color = sev.warning_color or "none"
    options = tuple(Option(k, f"{v[1]}{v[0]}", k) for k, v in COLORS.items())
    text = (f"{COLORS[color][1]}{COLORS[color][0]} / level {sev.warning_level} {color}"
            if color != "none" else "无预警 / no warning")
    return Question("warning_color", "对应哪一级（颜色）预警？", "Which warning colour matches it?",
                    "choice", (*options, Option("none", "无", "none")), color, text, "§3.2.1",
                    t_min)


def _issuer_question(plan: ResponsePlan, t_min: float) -> Question:
    issuers = plan.warning.issuers if plan.warning else ()
    key = issuer_key(plan)
    text = f"{ISSUER_TEXT[key][0]} / {ISSUER_TEXT[key][1]}"
    if issuers:
        text += ": " + "、".join(r.zh for r in issuers)
    return Question("warning_issuer", "谁可以发布该预警？", "Who may issue that warning?", "choice",
                    tuple(Option(k, *v) for k, v in ISSUER_TEXT.items()), key, text, "§3.2.2",
                    t_min)


def _commander_question(plan: ResponsePlan, t_min: float) -> Question:
    options = tuple(Option(k, r.zh, r.en) for k, r in load_organisation().leads.items())
    text = (f"{plan.lead_role.zh} / {plan.lead_role.en}; 指挥长 commander: {plan.commander.zh} / "
            f"{plan.commander.en}; 现场指挥部 on-site HQ: {plan.on_site_hq.zh}")
    return Question("commander", "由谁指挥应对？", "Who commands the response?", "choice",
                    options, plan.lead, text, "§2; §4.1", t_min)


def _phone_question(plan: ResponsePlan, t_min: float) -> Question:
    phone = plan.report("phone")
    due = phone[0].due if phone else None
    if due:
        bodies = "、".join(r.by[0] for r in phone)
        text = (f"{cn_time(due)}（北京时间） / {due.isoformat(timespec='minutes')}: {bodies}"
                f"{'（各自报送 / each on its own）' if len(phone) > 1 else ''} → "
                f"{'、'.join(phone[0].to)} (力争30分钟内电话报告 / by telephone, striving for 30 "
                "minutes)")
    else:
        text = ("无固定时限的电话报告（较大、一般：及时续报）/ no clocked telephone report below 重大 "
                "(follow-ups promptly)")
    return Question(
        "phone_report", "向市政府电话报告最迟何时？（HH:MM，或 none 表示无固定时限）",
        "When is the telephone report to the city government due? (HH:MM, or none if no "
        "fixed time)", "time", (), due.isoformat() if due else None, text, "§3.3.1", t_min)


def _units_question(plan: ResponsePlan, t_min: float) -> Question:
    units = cause_units(plan)
    n = len(plan.member_units)
    text = (("、".join(units) if units else "无 / none")
            + f" (共 {n} 个成员单位启动 / {n} member units activated in all)")
    return Question(
        "member_units", "哪些成员单位因事件起因或次生事件须响应？（以、或逗号分隔，或 none）",
        "Which member units must act because of the cause or secondary incidents? (comma "
        "separated, or none)", "multi", (), units, text, "附件“二、成员单位职责”; §4.2", t_min)


def _may_end_question(checks: Mapping[str, bool], responding: bool, t_min: float) -> Question:
    failing = [c for c in CHECKS if not checks.get(c, False)]
    if failing:
        may, text = "no", "否 / no — 未满足 not yet: " + "; ".join(
            f"{c}: {CHECK_TEXT[c][0]} ({CHECK_TEXT[c][1]})" for c in failing)
    elif responding:
        may, text = "yes", "是 / yes — 四项终止条件均满足 / all four §4.3 checks hold"
    else:
        may = "yes"
        text = "应急响应已终止 / the response has already ended (all four §4.3 checks hold)"
    return Question("may_end", "现在可以终止应急响应吗？", "May the response end now?", "yesno",
                    (Option("yes", "可以", "yes"), Option("no", "不可以", "no")), may, text, "§4.3",
                    t_min)


#: The questions about the response itself, asked while it runs (in :data:`QUESTION_IDS` order).
_RESPONSE_QUESTIONS: tuple[Callable[[ResponsePlan, float], Question], ...] = (
    _issuer_question, _commander_question, _phone_question, _units_question)


def build_questions(plan: ResponsePlan, *, t_min: float, level_options: Sequence[Option],
                    checks: Mapping[str, bool] | None, responding: bool, current=None,
                    response_now: str | None = None) -> tuple[Question, ...]:
    """The plan's questions for one state of the drill.

    Parameters
    ----------
    plan : ResponsePlan
        The response plan of the event at its peak so far (its severity gives the event level
        and warning; the event level does not fall as the load comes back).
    t_min : float
        Drill minutes now.
    level_options : sequence of Option
        The event levels of the severity plan, highest first, then ``none``.
    checks : mapping of str to bool, optional
        The four §4.3 checks now (None without a restoration run: the "may end" question is then
        not asked).
    responding : bool
        Whether the response is running.
    current : Severity, optional
        The current state graded (default: the plan's); with ``response_now``, the response
        level it supports (the timeline's, never below Ⅳ级 while responding).

    Returns
    -------
    tuple of Question
        In :data:`QUESTION_IDS` order: level and warning colour always; the recommended response
        level and the response's questions once the plan is started or still running; "may
        end" when ``checks`` are known.
    """
    level = _level_question(plan, level_options, t_min)
    color = _color_question(plan, t_min)
    if not plan.activated and not responding:
        return (level, color)
    now = plan.response_level if current is None else (response_now if responding else None)
    qs = [level, _response_question(current or plan.severity, now, t_min), color]
    qs += [ask(plan, t_min) for ask in _RESPONSE_QUESTIONS]
    if checks is not None:
        qs.append(_may_end_question(checks, responding, t_min))
    return tuple(qs)


# --- parsing and scoring answers -------------------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().lower()


def _parse_choice(q: Question, value: str) -> str:
    v = _norm(value)
    if v in _NONE_WORDS and any(o.value == "none" for o in q.options):
        return "none"
    for i, o in enumerate(q.options, 1):
        if v in {o.value.lower(), o.zh.lower(), o.en.lower(), str(i)}:
            return o.value
    if q.id == "warning_color":
        for k, (zh, lvl) in COLORS.items():
            if v in {zh, zh.rstrip("色"), lvl, f"{lvl}{zh}"}:
                return k
    choices = ", ".join(o.value for o in q.options)
    raise InputError(f"answer.{q.id}: {value!r} is not one of {choices} (or its number 1-"
                     f"{len(q.options)})")


def _parse_time(q: Question, value: str, event_time: datetime) -> str | None:
    v = _norm(value)
    if v in _NONE_WORDS:
        return None
    m = re.fullmatch(r"(\d{1,2})[:：](\d{2})", v)
    if m:
        hh, mm = int(m.group(1)), int(m.group(2))
        if hh > 23 or mm > 59:
            raise InputError(f"answer.{q.id}: {value!r} is not a clock time")
        if q.key is not None:  # HH:MM means the day of the key (the event's day or the next)
            key = datetime.fromisoformat(q.key)
            return key.replace(hour=hh, minute=mm, second=0, microsecond=0).isoformat()
        return event_time.replace(hour=hh, minute=mm, second=0, microsecond=0).isoformat()
    try:
        t = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"answer.{q.id}: {value!r} is not HH:MM, an ISO 8601 time or none") from None
    if t.tzinfo is None:
        t = t.replace(tzinfo=event_time.tzinfo)
    return t.isoformat()


def _parse_units(q: Question, value: str | Sequence[str]) -> tuple[str, ...]:
    items = ([str(x) for x in value] if not isinstance(value, str)
             else re.split(r"[,，、;；]\s*", value))
    items = [i.strip() for i in items if i.strip()]
    if len(items) == 1 and _norm(items[0]) in _NONE_WORDS:
        return ()
    org = load_organisation()
    by_name = {u.name_zh.lower(): u.name_zh for u in org.member_units}
    by_name |= {u.name_en.lower(): u.name_zh for u in org.member_units}
    out = []
    for i, item in enumerate(items):
        name = by_name.get(_norm(item))
        if name is None:
            raise InputError(f"answer.{q.id}[{i}]: no member unit named {item!r}"
                             f"{did_you_mean(item, [u.name_zh for u in org.member_units])}")
        out.append(name)
    return tuple(dict.fromkeys(out))


def parse_answer(q: Question, value: Any, event_time: datetime) -> str | tuple[str, ...] | None:
    """Turn what the trainee gave into the key's form; :class:`InputError` naming the question
    when it cannot be read."""
    if value is None:
        value = "none"
    if q.kind == "multi":
        return _parse_units(q, value)
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if q.kind == "time":
        if isinstance(value, datetime):
            return value.isoformat()
        return _parse_time(q, str(value), event_time)
    if q.kind == "yesno":
        v = _norm(str(value))
        if v in _YES_WORDS:
            return "yes"
        if v in _NO_WORDS:
            return "no"
        raise InputError(f"answer.{q.id}: {value!r} is not yes or no (是/否)")
    return _parse_choice(q, str(value))


def score_answer(q: Question, parsed: str | tuple[str, ...] | None) -> float:
    """1.0 for a right answer, 0.0 for a wrong one; the Jaccard share for a set of units."""
    if q.kind == "multi":
        given, key = set(parsed or ()), set(q.key or ())
        if not given and not key:
            return 1.0
        return len(given & key) / len(given | key)
    if q.kind == "time":
        if parsed is None or q.key is None:
            return float(parsed is None and q.key is None)
        return float(datetime.fromisoformat(parsed) == datetime.fromisoformat(q.key))
    return float(parsed == q.key)
