"""Progress on long work: a bar on stderr, only for a person watching a terminal.

The one progress helper of every stage (Monte-Carlo chunks, N-k screening chunks, rechecked
contingencies, restoration policies compared). The bar goes to stderr, so stdout stays the
result's; it is drawn only when stderr is a terminal, and is transient (gone when the work is
done). Off (``enabled=False``, ``--quiet``, stderr piped or redirected), it costs nothing: rich
is not even imported.

- :func:`progress_bar`: a context manager that gives ``advance(n=1)``, for work reported as it
  goes (a callback such as :func:`outage_sim.engine.run_batch`'s ``on_chunk``);
- :func:`track`: an iterable passed through, one step per item.

Labels keep the Chinese term beside the English (``"N-2 预想事故 contingencies"``).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:  # rich loads only when a bar is drawn
    from rich.console import Console

__all__ = ["Advance", "progress_bar", "track"]

T = TypeVar("T")

#: What :func:`progress_bar` gives: ``advance(n)`` moves the bar ``n`` steps on.
Advance = Callable[[int], None]


def _off(n: int = 1) -> None:
    """The advance of a bar that is not drawn."""


def _console(console: Console | None) -> Console | None:
    """The console to draw on, or ``None`` when nobody watches (stderr is not a terminal)."""
    if console is None:
        if not (getattr(sys.stderr, "isatty", None) and sys.stderr.isatty()):
            return None  # cheap test first: piped or redirected, rich is never imported
        from rich.console import Console

        console = Console(stderr=True)
    return console if console.is_terminal else None


@contextlib.contextmanager
def progress_bar(label: str, total: int | None, *, enabled: bool = True,
                 console: Console | None = None) -> Iterator[Advance]:
    """A transient progress bar of ``total`` steps; yields ``advance(n=1)``.

    Parameters
    ----------
    label
        What runs, Chinese beside English (``"蒙特卡洛 Monte-Carlo"``).
    total
        Steps in all (``None``: unknown, the bar pulses).
    enabled
        ``False`` (``--quiet``) draws nothing.
    console
        The rich console to draw on (default: stderr's, when it is a terminal). Tests pass one
        made with ``force_terminal=True``.
    """
    shown = _console(console) if enabled else None
    if shown is None:
        yield _off
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, transient=True, console=shown) as bar:
        task = bar.add_task(label, total=total)

        def advance(n: int = 1) -> None:
            bar.advance(task, n)

        yield advance


def track(items: Iterable[T], label: str, *, enabled: bool = True, total: int | None = None,
          console: Console | None = None) -> Iterator[T]:
    """``items`` as they come, one step of a :func:`progress_bar` each (``total``: when
    ``items`` has no length, e.g. Dask futures as they complete)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with progress_bar(label, total, enabled=enabled, console=console) as advance:
        for item in items:
            yield item
            advance(1)
