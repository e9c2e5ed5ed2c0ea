"""What a simulated run tells the response beyond its figures: the context of an exercise (演练).

:func:`exercise_context` gives the keyword arguments of
:func:`~outage_sim.response.build_response` for a scenario run: the affected districts (the plan
file's reading, largest shed first, so the worst one leads a single-district event), the key areas
(重点地区) the run used, the important power users (重要电力用户) it cut off by district and category,
the course of the event (基本过程: what failed and tripped, islands) for the 信息报告, a 信息来源
in Chinese, and the 【演练】 mark. It reads the load-shed result by its documented attributes
(``districts``, ``loads``, ``failed``, ``tripped``, ``islands``), so it needs no import of the
engine.
"""

from __future__ import annotations

from typing import Any

from outage_sim.response.organisation import Organisation, load_organisation
from outage_sim.response.plan import ImportantUsers
from outage_sim.response.text import mw_zh, num
from outage_sim.severity import Severity

__all__ = ["exercise_context", "important_users_from_loads"]

#: Failed elements named in the 基本过程 before "等N个".
SHOWN_FAILED = 4


def important_users_from_loads(loads: Any, org: Organisation | None = None
                               ) -> tuple[ImportantUsers, ...]:
    """重要电力用户 cut off, by district and category, from a per-load table (``district``,
    ``important_user``, ``shed_mw``), largest shed first."""
    org = org or load_organisation()
    cut = loads[(loads.important_user != "") & (loads.shed_mw > 0)]
    if cut.empty:
        return ()
    by = (cut.groupby(["district", "important_user"], sort=False)
          .agg(count=("shed_mw", "size"), shed_mw=("shed_mw", "sum")).reset_index()
          .sort_values("shed_mw", ascending=False, kind="stable"))
    out = []
    for r in by.itertuples():
        cat = org.categories.get(str(r.important_user))
        zh, en = (cat.zh, cat.en) if cat else (str(r.important_user), str(r.important_user))
        out.append(ImportantUsers(str(r.district), str(r.important_user), zh, en, int(r.count),
                                  round(float(r.shed_mw), 3)))
    return tuple(out)


def _course(shed: Any) -> tuple[str, str]:
    """基本过程: what failed and tripped and the islands left, Chinese and English."""
    failed = [o.name for o in shed.failed]
    shown = "、".join(failed[:SHOWN_FAILED]) + (f"等{len(failed)}个" if len(failed) > SHOWN_FAILED
                                                else "")
    black = sum(i["status"] == "black" for i in shed.islands)
    zh = (f"故障或受损元件{len(failed)}个（{shown or '无'}）；保护或稳控动作跳闸{len(shed.tripped)}个；"
          f"电网解列为{len(shed.islands)}个电气岛，其中{black}个全黑；减供负荷共"
          f"{mw_zh(shed.main['shed_mw'])}（模拟）")
    en = (f"{len(failed)} elements failed or damaged; {len(shed.tripped)} tripped by protection "
          f"or stability control; {len(shed.islands)} electrical islands, {black} of them black; "
          f"{num(shed.main['shed_mw'])} MW shed (simulated)")
    return zh, en


def exercise_context(severity: Severity, shed: Any, scenario: str, seed: int,
                     org: Organisation | None = None) -> dict[str, Any]:
    """The :func:`~outage_sim.response.build_response` keywords of a scenario run (an exercise).

    ``shed`` is the run's load-shed result; ``scenario`` and ``seed`` name the run in the
    信息来源.
    """
    org = org or load_organisation()
    d = shed.districts
    order = d.sort_values("shed_mw", ascending=False, kind="stable").name.tolist()
    affected = set(severity.affected)
    doc = org.documents
    source = (f"{doc.exercise_source_zh.format(scenario=scenario, seed=seed)} / "
              f"{doc.exercise_source_en.format(scenario=scenario, seed=seed)}")
    key_areas = d.name[d.key_area.astype(bool)].tolist() if "key_area" in d else []
    return {"districts": [n for n in order if n in affected], "exercise": True,
            "key_areas": key_areas, "important_users": important_users_from_loads(shed.loads, org),
            "facts": {"course": _course(shed)}, "source": source}
