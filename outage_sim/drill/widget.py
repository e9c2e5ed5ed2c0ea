"""A drill (应急演练) in Jupyter: the same :class:`~outage_sim.drill.Drill` as ``outage-sim drill``,
driven by widgets (``pip install 'outage_sim[jupyter]'`` for ipywidgets).

:class:`DrillWidget` shows the clock with *step* and *next event* buttons, the district map and
the load-recovery curve of the current moment (redrawn on every move), the plan's questions as
input widgets (a drop-down for choices and yes/no, a text box for times and unit names), the
feedback against the answer key as soon as an answer is submitted, the running score and the
answer log, which the trainer exports as CSV::

    from outage_sim.drill import Drill, DrillWidget
    DrillWidget(Drill.from_scenario("core_station_fire"))   # last line of a cell

Every button has a method of the same effect (:meth:`~DrillWidget.step`,
:meth:`~DrillWidget.next_event`, :meth:`~DrillWidget.submit`, :meth:`~DrillWidget.export_log`),
so a script or a test drives the widget exactly as a trainer's clicks do.
"""

from __future__ import annotations

import html
import io
from pathlib import Path

import pandas as pd

from outage_sim.drill.session import Drill
from outage_sim.errors import InputError


def _widgets():
    try:
        import ipywidgets
    except ImportError:  # pragma: no cover - the extra is missing
        raise InputError("the Jupyter drill needs ipywidgets: pip install 'outage_sim[jupyter]'") \
            from None
    return ipywidgets


class DrillWidget:
    """Widgets over a :class:`Drill` (see the module docstring).

    Parameters
    ----------
    drill
        The drill to run (its clock moves with the buttons).
    figures
        Draw the map and the recovery curve (off: faster, for scripted runs).
    """

    def __init__(self, drill: Drill, *, figures: bool = True) -> None:
        w = _widgets()
        self.drill, self.figures = drill, figures
        self.clock = w.HTML()
        self.minutes = w.BoundedFloatText(value=drill.step_min, min=1, max=60 * 24 * 30,
                                          description="分钟 min", layout={"width": "170px"})
        self.step_button = w.Button(description="前进 Step", icon="forward")
        self.next_button = w.Button(description="下一事件 Next event", icon="fast-forward")
        self.step_button.on_click(lambda _b: self.step())
        self.next_button.on_click(lambda _b: self.next_event())
        self.image = w.Image(format="png", layout={"max_width": "100%"})
        self.questions_box = w.VBox()
        self.feedback = w.HTML()
        self.score_label = w.HTML()
        self.log_name = w.Text(value="drill_log.csv", description="文件 file",
                               layout={"width": "260px"})
        self.export_button = w.Button(description="导出记录 Export log", icon="download")
        self.export_button.on_click(lambda _b: self.export_log(self.log_name.value))
        self.inputs: dict[str, object] = {}
        self.submit_buttons: dict[str, object] = {}
        self.ui = w.VBox([
            w.HTML(f"<h3>应急演练 Drill: {html.escape(drill.scenario.name)}</h3>"),
            w.HBox([self.clock, self.minutes, self.step_button, self.next_button]),
            self.image, self.questions_box, self.feedback, self.score_label,
            w.HBox([self.log_name, self.export_button])])
        self._refresh()

    def _ipython_display_(self):  # pragma: no cover - needs a front end
        from IPython.display import display

        display(self.ui)

    # --- moving the clock ----------------------------------------------------------------
    def step(self, minutes: float | None = None):
        """Move the clock by ``minutes`` (default: the box's value) and redraw."""
        state = self.drill.step(float(self.minutes.value) if minutes is None else minutes)
        self._refresh(state.events)
        return state

    def next_event(self):
        """Move the clock to the next thing that happens and redraw (nothing when none is left)."""
        if self.drill.next_event_min() is None:
            self.feedback.value = "<p>演练已无后续事件 / nothing is left to happen</p>"
            return None
        state = self.drill.step_to_next_event()
        self._refresh(state.events)
        return state

    # --- answering -----------------------------------------------------------------------
    def submit(self, question_id: str, value=None):
        """Score the answer to ``question_id`` (``value``, or what its widget holds), show the
        feedback and the score."""
        widget = self.inputs.get(question_id)
        given = value if value is not None else getattr(widget, "value", "")
        try:
            a = self.drill.answer(question_id, given)
        except InputError as exc:
            self.feedback.value = f"<p style='color:#b00'>无法识别 not understood: {html.escape(str(exc))}</p>"
            return None
        mark = ("✓ 正确 right" if a.correct else
                f"部分 partly {a.score:.2f}" if a.score > 0 else "✗ 错误 wrong")
        colour = "#2a7" if a.correct else "#c80" if a.score > 0 else "#b00"
        self.feedback.value = (f"<p><b style='color:{colour}'>{mark}</b> — {html.escape(question_id)}: "
                               f"答案 key {html.escape(a.key_text)}</p>")
        self._score()
        return a

    def log(self) -> pd.DataFrame:
        """The answer log (:meth:`Drill.log`)."""
        return self.drill.log()

    def export_log(self, path: str | Path) -> Path:
        """Write the answer log as CSV (UTF-8 with BOM, so spreadsheets read the Chinese)."""
        path = Path(path)
        self.log().to_csv(path, index=False, encoding="utf-8-sig")
        self.feedback.value = f"<p>已导出 exported {html.escape(str(path))}</p>"
        return path

    # --- drawing -------------------------------------------------------------------------
    def _refresh(self, events=()) -> None:
        state = self.drill.state
        status = "响应中 responding" if state.responding else "未响应/已终止 not responding"
        level = state.severity.level if state.severity.level_rank else "未达 none"
        self.clock.value = (f"<b>T+{state.t_min:.0f} min</b> · {state.clock:%Y-%m-%d %H:%M} · "
                            f"{html.escape(level)} · {status} · 减供 shed {state.shed_mw:,.0f} MW")
        if events:
            self.feedback.value = "<ul>" + "".join(f"<li>{html.escape(e)}</li>" for e in events) \
                + "</ul>"
        self._questions()
        self._score()
        if self.figures:
            self.image.value = self._png(state)

    def _questions(self) -> None:
        w = _widgets()
        rows, self.inputs, self.submit_buttons = [], {}, {}
        for q in self.drill.questions():
            if q.options:
                box = w.Dropdown(options=[(o.text, o.value) for o in q.options], value=None,
                                 layout={"width": "420px"})
            else:
                box = w.Text(placeholder="HH:MM / none" if q.kind == "time" else "名称，用、分隔",
                             layout={"width": "420px"})
            button = w.Button(description="提交 Submit")
            button.on_click(lambda _b, qid=q.id: self.submit(qid))
            self.inputs[q.id], self.submit_buttons[q.id] = box, button
            rows.append(w.VBox([w.HTML(f"<b>{html.escape(q.zh)}</b><br>{html.escape(q.en)} "
                                       f"<small>({html.escape(q.clause)})</small>"),
                                w.HBox([box, button])]))
        self.questions_box.children = tuple(rows)

    def _score(self) -> None:
        points, asked = self.drill.score
        self.score_label.value = f"<p><b>得分 Score</b>: {points:.2f} / {asked} 题 answered</p>"

    def _png(self, state) -> bytes:
        from matplotlib.figure import Figure

        from outage_sim.reports import plot_district_map, plot_recovery

        d = pd.DataFrame(state.event["districts"]).rename(columns={"name": "district"})
        d.insert(0, "t_h", 0.0)
        fig = Figure(figsize=(13, 5), layout="constrained")
        a1, a2 = fig.subplots(1, 2, width_ratios=[1.25, 1])
        seg = self.drill._segments[-1]  # the run now in force (same stage)
        failed = seg.run.shed.to_dict().get("failed")
        plot_district_map(d, 0.0, a1, failed=failed, hazards=seg.run.scenario.hazards,
                          title=f"T+{state.t_min:.0f} min")
        if seg.restoration is not None:
            now_h = (state.t_min - seg.start_min) / 60.0
            tl = seg.restoration.timeline
            shown = tl[tl.t_h <= now_h + 1e-9]
            plot_recovery(shown, a2)
            div = 24.0 if shown.t_h.max() > 72 else 1.0  # as plot_recovery chose: hours or days
            a2.axvline(now_h / div, color="black", lw=1)
            a2.set_xlim(0, max(float(tl.t_h.max()), now_h) / div)  # the whole run, future blank
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
        return buf.getvalue()
