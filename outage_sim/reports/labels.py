"""Labels placed beside their points where they overlap nothing drawn before them.

:func:`place_labels` writes each text at the first of a ring of positions around its point
(right and above first, then further out with a thin leader line) whose box overlaps no label
placed before it, no given obstacle (district names) and no other labelled point. A label with
no free place takes the one it overlaps least. Placement is measured in display space after the
axes' aspect is applied, so the result holds at any dpi (labels and offsets are in points).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from matplotlib import patheffects
from matplotlib.text import Text
from matplotlib.transforms import Bbox

#: Offsets (points) tried in order; beyond the first ring a leader line joins label and point.
_DIRECTIONS = ((1, 1), (1, -1), (-1, 1), (-1, -1), (0, 1), (0, -1), (1, 0), (-1, 0))
_RINGS = (4.0, 13.0, 24.0)
_LEADER_FROM = 10.0  # points: a label this far from its point gets a leader line


def _alignment(dx: float, dy: float) -> tuple[str, str]:
    return ({1: "left", -1: "right", 0: "center"}[int(np.sign(dx))],
            {1: "bottom", -1: "top", 0: "center"}[int(np.sign(dy))])


def _overlap(box: Bbox, taken: Sequence[Bbox], frame: Bbox) -> float:
    """Area of ``box`` on boxes already taken, plus its area outside the axes."""
    area = 0.0
    for other in taken:
        w = min(box.x1, other.x1) - max(box.x0, other.x0)
        h = min(box.y1, other.y1) - max(box.y0, other.y0)
        if w > 0 and h > 0:
            area += w * h
    inside = Bbox.intersection(box, frame)
    outside = box.width * box.height - (inside.width * inside.height if inside else 0.0)
    return area + outside


def _marker_boxes(ax, xy: np.ndarray, size_pt: float) -> list[Bbox]:
    """A small box around each point (its marker) in display units."""
    half = size_pt * ax.figure.dpi / 72.0 / 2.0
    disp = ax.transData.transform(xy)
    return [Bbox([[x - half, y - half], [x + half, y + half]]) for x, y in disp]


def place_labels(ax, xy: Sequence[tuple[float, float]], texts: Sequence[str], *,
                 obstacles: Iterable[Text] = (), fontsize: float = 6.5,
                 color: str = "#222222", zorder: float = 5) -> list[Text]:
    """Write ``texts[i]`` beside the point ``xy[i]`` (data coordinates) without overlaps.

    Parameters
    ----------
    ax
        The axes, with everything else drawn and its limits and aspect set.
    xy, texts
        The points (x, y in data coordinates) and their labels.
    obstacles
        Texts already on the axes that labels should keep clear of (district names).
    fontsize, color, zorder
        Of the labels (a white halo keeps them readable over lines).

    Returns
    -------
    list of Text
        The labels (matplotlib annotations), in the order of ``texts``.
    """
    ax.get_xlim()  # settles the limits autoscaling would set at draw time
    ax.apply_aspect()
    frame = ax.get_window_extent()
    points = np.asarray(xy, dtype=float).reshape(-1, 2)
    markers = _marker_boxes(ax, points, 5.0)
    taken = [t.get_window_extent() for t in obstacles if t.get_text()]
    halo = [patheffects.withStroke(linewidth=2.0, foreground="white")]
    # the most crowded points choose first
    dist = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    order = np.argsort(-(dist < 0.25).sum(axis=1), kind="stable")
    placed: dict[int, Text] = {}
    for i in order:
        others = [b for j, b in enumerate(markers) if j != i]
        best: tuple[float, Text] | None = None
        for ring in _RINGS:
            for dx, dy in _DIRECTIONS:
                label = _label(ax, points[i], texts[i], (dx * ring, dy * ring), fontsize, color,
                               zorder, halo)
                cost = _overlap(_text_box(label), taken + others, frame)
                if best is None or cost < best[0]:
                    if best is not None:
                        best[1].remove()
                    best = (cost, label)
                else:
                    label.remove()
                if cost == 0.0:
                    break
            if best is not None and best[0] == 0.0:
                break
        assert best is not None
        placed[int(i)] = best[1]
        taken.append(_text_box(best[1]))
    return [placed[i] for i in range(len(points))]


def _text_box(label: Text) -> Bbox:
    """The box of a label's text alone (an annotation's own box takes in its leader line)."""
    label.get_window_extent()  # places the text at its offset from the point
    return Text.get_window_extent(label)


def _label(ax, point, text, offset, fontsize, color, zorder, halo) -> Text:
    dx, dy = offset
    ha, va = _alignment(dx, dy)
    leader = ({"arrowstyle": "-", "lw": 0.4, "color": color, "shrinkA": 0, "shrinkB": 2}
              if np.hypot(dx, dy) >= _LEADER_FROM else None)
    return ax.annotate(text, tuple(point), xytext=(dx, dy), textcoords="offset points", ha=ha,
                       va=va, fontsize=fontsize, color=color, zorder=zorder, path_effects=halo,
                       arrowprops=leader, annotation_clip=False)
