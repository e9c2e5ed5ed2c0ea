"""How documents write times, amounts and clauses in the Chinese a duty officer writes.

- Clock times: Beijing time (the organisation file's ``documents.utc_offset_h``), written
  2024年7月31日23时40分 in Chinese text, whatever offset the input used (JSON keeps ISO 8601).
- Amounts: 兆瓦 and 户 / 万户 in Chinese text (MW and customers in English).
- Clauses: 预案1.5.4条第（4）项 rather than §1.5.4(4), and the plan's single 附件 with its parts
  (附件“二、成员单位职责”) in Chinese text.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

__all__ = ["BEIJING", "clause_zh", "cn_time", "hu_zh", "in_zone", "mw_zh", "num", "pct"]

#: Beijing time, the zone of the plan (also the organisation file's default).
BEIJING = timezone(timedelta(hours=8))

_CLAUSE = re.compile(r"§(\d+(?:\.\d+)*)(?:\((\d+)\))?")


def in_zone(t: datetime, tz: timezone = BEIJING) -> datetime:
    """``t`` as the same instant in ``tz`` (Beijing time by default)."""
    return t.astimezone(tz)


def cn_time(t: datetime | None, tz: timezone = BEIJING, *, seconds: bool = False) -> str:
    """``2024年7月31日23时40分`` in ``tz`` (Beijing time), or an empty string for None."""
    if t is None:
        return ""
    b = t.astimezone(tz)
    text = f"{b.year}年{b.month}月{b.day}日{b.hour}时{b.minute:02d}分"
    return text + (f"{b.second:02d}秒" if seconds and b.second else "")


def _clause_part(match: re.Match[str]) -> str:
    number, item = match.group(1), match.group(2)
    if "." not in number:
        return f"预案第{number}章"
    return f"预案{number}条" + (f"第（{item}）项" if item else "")


def clause_zh(clause: str) -> str:
    """A clause as Chinese text: ``§1.5.4(4)`` → 预案1.5.4条第（4）项, ``附件“二、…”`` →
    预案附件“二、…”, ``;`` → ``；``."""
    text = _CLAUSE.sub(_clause_part, clause)
    text = re.sub(r"(?<!预案)附件", "预案附件", text)
    return text.replace("; ", "；").replace(";", "；")


def num(x: float) -> str:
    """A figure with thousands separators and at most two decimals (no trailing zeros)."""
    x = float(x)
    if x.is_integer():
        return f"{x:,.0f}"
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def mw_zh(x: float) -> str:
    """MW as Chinese text: ``4,830兆瓦``."""
    return f"{num(x)}兆瓦"


def hu_zh(n: float) -> str:
    """Customers as Chinese text: ``210万户`` from ten thousand up, else ``1,234户``."""
    n = float(n)
    if n >= 10_000:
        return f"{round(n / 10_000, 2):g}万户"
    return f"{num(n)}户"


def pct(x: float) -> str:
    """A percentage to two decimals at most: ``23.81%``."""
    return f"{round(float(x), 2):g}%"
