"""Writing output files: checked before any computation, written all or nothing.

The one way every command writes its files (``run --out``, the figures, ``report.html``,
``montecarlo --out``, ``contingency --out``, ``grid plot --out``, ``plot DIR``):

- :func:`check_output` refuses, in one line naming the option, an output place that cannot be
  used: a file where a folder is needed (or in its path), a missing parent folder of an output
  file, a folder that cannot be written (read-only, permission denied), a file of ours already
  there (unless ``force``), a sub-folder in the place of a file, a symbolic link in the place of
  a file (unless ``force``, which replaces the link itself, never what it points to). Commands
  call it before they compute anything.
- :func:`write_outputs` writes a set of files: each to a temporary name in the target folder
  (created new, so never through a symbolic link), and only when every one is complete renames
  them all into place (:func:`os.replace`, with SIGINT and SIGTERM held back while it does).
  A run stopped midway — SIGINT, SIGTERM, a full disk, an exception — removes its temporaries
  and leaves the previous outputs as they were; the error says so in one line
  (:class:`~outage_sim.errors.OutputError`, exit 2, for a full disk or a permission problem;
  :class:`~outage_sim.errors.Interrupted`, exit 130 or 143, for a signal).
- :func:`save_figure` saves a matplotlib figure with no time stamp in it (PDF and SVG carry
  one by default), so the same run gives the same bytes.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO

from outage_sim.errors import Interrupted, OutputError

#: What :func:`write_outputs` accepts for one file: its text (UTF-8), its bytes, or a function
#: that writes the file at the path it is given (a temporary name with the same extension).
Writer = str | bytes | Callable[[Path], object]

# errno values that mean "this place cannot take the files": the user's to fix, exit 2
_PLACE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS,
                 errno.EFBIG, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG, errno.ELOOP}
_SIGNAL_EXIT = {signal.SIGINT: 130, signal.SIGTERM: 143}
_TEMP_MARK = ".part"


# ------------------------------------------------------------------------------- checks
def check_output(path: str | os.PathLike, names: Iterable[str] = (), *, force: bool = False,
                 field: str = "--out") -> Path:
    """Refuse an output place that would lose the user's files or cannot be written.

    ``path`` is an output folder when ``names`` (the files to be written in it) are given, else
    an output file. A folder may be missing (it is made, with its parents); a file's folder must
    exist. Raises :class:`~outage_sim.errors.OutputError` (an InputError, exit 2) naming
    ``field`` when the place is unusable (see the module docstring). Returns ``path`` as a
    :class:`pathlib.Path`.
    """
    path = Path(path)
    names = tuple(names)
    if names:
        _check_folder(path, field, may_create=True)
        targets = [path / n for n in names]
    else:
        _check_folder(path.parent, field, may_create=False)
        targets = [path]
    for target in targets:
        _check_target(target, force, field)
    return path


def _check_folder(folder: Path, field: str, *, may_create: bool) -> None:
    """The folder exists as a writable folder, or (``may_create``) can be made."""
    folder = folder if str(folder) else Path(".")
    if folder.exists():
        if not folder.is_dir():
            raise OutputError(f"{field}: {folder} exists and is not a folder")
        _writable(folder, field)
        return
    if not may_create:
        if os.path.lexists(folder):
            raise OutputError(f"{field}: folder {folder} is a broken symbolic link")
        raise OutputError(f"{field}: folder {folder} does not exist")
    parent = folder
    while not parent.exists():
        if os.path.lexists(parent):
            raise OutputError(f"{field}: {parent} is a broken symbolic link, not a folder")
        if parent.parent == parent:
            break
        parent = parent.parent
    if not parent.is_dir():
        raise OutputError(f"{field}: {parent} is a file, not a folder, so {folder} cannot be made")
    _writable(parent, field)


def _writable(folder: Path, field: str) -> None:
    if not os.access(folder, os.W_OK | os.X_OK):
        why = "read-only file system" if _read_only_fs(folder) else "permission denied"
        raise OutputError(f"{field}: cannot write in {folder} ({why})")


def _read_only_fs(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # pragma: no cover - no statvfs
        return False


def _check_target(target: Path, force: bool, field: str) -> None:
    if os.path.islink(target):
        if not force:
            raise OutputError(f"{field}: {target} is a symbolic link; choose another place or pass "
                             "--force (which replaces the link, never what it points to)")
    elif target.is_dir():
        raise OutputError(f"{field}: {target} is a folder; remove it or choose another place")
    elif target.exists() and not force:
        raise OutputError(f"{field}: {target} exists; choose another place or pass --force")


# ------------------------------------------------------------------------------- writing
def write_outputs(folder: str | os.PathLike, files: Mapping[str, Writer], *, force: bool = False,
                  field: str = "--out", stale: Iterable[str] = ()) -> list[Path]:
    """Write ``files`` (name → :data:`Writer`) into ``folder``, all or nothing.

    The folder is checked as :func:`check_output` does (existing files of ours are replaced only
    with ``force``) and made if missing. Every file is written to a temporary name in the
    folder; when all are complete they are renamed into place. With ``force``, the files named
    in ``stale`` that this set does not write (left by an earlier, different run) are removed
    at the same moment, so the folder never mixes two runs.

    Returns the paths written, in the order of ``files``.

    Raises
    ------
    OutputError
        The disk is full, or the folder cannot be written (exit 2); nothing was replaced.
    Interrupted
        SIGINT or SIGTERM arrived while writing (exit 130 or 143); nothing was replaced.
    """
    folder = check_output(folder, tuple(files), force=force, field=field)
    made = _make_folder(folder, field)
    temps: dict[str, Path] = {}
    committed = False
    try:
        with _signals_raise():
            for name, writer in files.items():
                with _signals_blocked():  # the file made and noted as one step, never half
                    temps[name] = _temp_name(folder, name)
                _write_one(temps[name], writer)
            with _signals_blocked():  # a signal now waits until every file is in place
                _commit(folder, temps, [n for n in stale if n not in files] if force else [])
                committed = True
    except BaseException as exc:  # noqa: BLE001 - every way out removes the temporaries
        if committed:  # a signal held back during the renames, arriving after them
            raise _explain(exc, folder, field, None, list(temps)) from None
        removed = _discard(temps.values(), made)
        raise _explain(exc, folder, field, removed, list(temps), fresh=bool(made)) from None
    return [folder / name for name in files]


def write_output(path: str | os.PathLike, writer: Writer, *, force: bool = False,
                 field: str = "--out") -> Path:
    """Write one output file all or nothing (:func:`write_outputs` for a single file)."""
    path = check_output(path, force=force, field=field)
    return write_outputs(path.parent if str(path.parent) else Path("."), {path.name: writer},
                         force=force, field=field)[0]


#: zlib level of the PNG figures: they are flat colours, lines and text, for which level 3 is
#: as small as the default 6 (within 1% on a run's five figures) and quicker to write.
PNG_COMPRESS_LEVEL = 3


def save_figure(fig, path: str | os.PathLike | BinaryIO, **kwargs) -> None:
    """``fig.savefig(path, **kwargs)`` with no creation date or random ids in the file (PDF and
    SVG), so the same figure gives the same bytes; the format follows the extension (give
    ``format=`` when ``path`` is a binary file object).

    A PNG at a given ``dpi`` and nothing else asked of savefig (no ``bbox_inches``) is drawn
    once, on matplotlib's Agg canvas, and its pixels written (:func:`_png_in_one_draw`):
    savefig would draw a figure with a layout engine twice, once to lay it out and once to
    print it.
    """
    import matplotlib

    suffix = Path(path).suffix if isinstance(path, (str, os.PathLike)) else ""
    fmt = kwargs.pop("format", None) or suffix.lstrip(".").lower() or "png"
    if fmt == "png":
        kwargs["pil_kwargs"] = {"compress_level": PNG_COMPRESS_LEVEL, **kwargs.get("pil_kwargs", {})}
        if set(kwargs) <= {"dpi", "metadata", "pil_kwargs"}:
            _png_in_one_draw(fig, path, **kwargs)
            return
    meta = {"pdf": {"CreationDate": None}, "svg": {"Date": None}}.get(fmt, {})
    kwargs["metadata"] = {**meta, **kwargs.get("metadata", {})}
    with matplotlib.rc_context({"svg.hashsalt": "outage_sim"}):
        fig.savefig(path, format=fmt, **kwargs)


def _png_in_one_draw(fig, path, *, dpi: float | None = None, metadata: dict | None = None,
                     pil_kwargs: dict | None = None) -> None:
    """What ``fig.savefig(path, format="png", dpi=dpi)`` writes, from one draw: the Agg canvas
    runs the figure's layout engine inside its draw, and :func:`matplotlib.image.imsave` writes
    its pixels with the metadata savefig would give them. The figure's dpi and canvas are
    restored afterwards."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.image import imsave

    canvas, old_dpi = fig.canvas, fig.dpi
    try:
        fig.dpi = dpi or old_dpi
        agg = FigureCanvasAgg(fig)
        agg.draw()
        imsave(path, agg.buffer_rgba(), format="png", dpi=fig.dpi, metadata=metadata,
               pil_kwargs=pil_kwargs)
    finally:
        fig.dpi = old_dpi
        fig.set_canvas(canvas)


def _make_folder(folder: Path, field: str) -> list[Path]:
    """Make ``folder`` and its missing parents; returns those made (deepest first)."""
    made = []
    p = folder
    while not p.exists():
        made.append(p)
        p = p.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{field}: cannot make {folder} ({exc.strerror or exc})") from None
    return made


def _temp_name(folder: Path, name: str) -> Path:
    """A new, empty regular file beside ``name`` (``O_EXCL``: never an existing file or link)."""
    suffix = Path(name).suffix
    for _ in range(100):
        tmp = folder / f".{name}.{secrets.token_hex(4)}{_TEMP_MARK}{suffix}"
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
            return tmp
        except FileExistsError:  # pragma: no cover - 32 random bits
            continue
    raise OutputError(f"cannot make a temporary file in {folder}")  # pragma: no cover


def _write_one(tmp: Path, writer: Writer) -> None:
    if isinstance(writer, str):
        writer = writer.encode("utf-8")
    if isinstance(writer, bytes):
        with open(tmp, "wb") as fh:
            fh.write(writer)
            fh.flush()
            os.fsync(fh.fileno())
        return
    writer(tmp)
    with open(tmp, "rb") as fh:  # a full disk may only show when the data reaches it
        os.fsync(fh.fileno())


def _commit(folder: Path, temps: Mapping[str, Path], stale: list[str]) -> None:
    """Rename every temporary into place and remove the ``stale`` files of ours."""
    for name, tmp in temps.items():
        os.replace(tmp, folder / name)
    for name in stale:
        target = folder / name
        if os.path.islink(target) or target.is_file():
            target.unlink()
    with contextlib.suppress(OSError):  # the renames themselves on disk (not on every OS)
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _discard(temps: Iterable[Path], made: list[Path]) -> int:
    """Remove the temporaries still there and the folders this write made, if empty."""
    removed = 0
    for tmp in temps:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
            removed += 1
    for folder in made:
        with contextlib.suppress(OSError):
            folder.rmdir()
    return removed


def _explain(exc: BaseException, folder: Path, field: str, removed: int | None,
             started: list[str], *, fresh: bool = False) -> BaseException:
    """The one-line error for a write that stopped (``removed`` None: after every file was in
    place; ``fresh``: the folder was made by this write, and removed again); the original
    exception when it is not ours to explain."""
    if removed is None:
        kept = f"its {len(started)} new file(s) are complete"
    else:
        kept = (f"nothing was replaced and {removed} temporary file(s) were removed; "
                + (f"{folder} was not left behind" if fresh else
                   f"{folder} holds what it held before"))
    signum = getattr(exc, "signum", signal.SIGINT if isinstance(exc, KeyboardInterrupt) else None)
    if signum is not None:
        name = signal.Signals(signum).name
        return Interrupted(f"interrupted ({name}) while writing into {folder}: {kept}",
                           exit_code=_SIGNAL_EXIT.get(signum, 128 + int(signum)))
    if isinstance(exc, OSError) and exc.errno in _PLACE_ERRORS:
        what = started[-1] if started else "the files"
        return OutputError(f"{field}: cannot write {what} in {folder} "
                           f"({exc.strerror or os.strerror(exc.errno)}): {kept}")
    return exc


# ------------------------------------------------------------------------------- signals
class _Terminated(BaseException):
    """SIGTERM, raised where the main thread is so that the write can clean up."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum, frame):
    raise _Terminated(signum)


@contextlib.contextmanager
def _signals_raise():
    """While writing, SIGTERM raises (as SIGINT does) so the temporaries can be removed; only
    in the main thread and only where nobody else handles SIGTERM (without a handler, SIGTERM
    ends the process before it could clean up)."""
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return
    signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def _signals_blocked():
    """Hold SIGINT and SIGTERM back: noted while the block runs, raised when it ends (Python
    runs signal handlers in the main thread only, so elsewhere nothing is held back)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []
    old: dict[int, Any] = {}
    try:  # swapped one by one inside the try: a signal between the two swaps restores the first
        for s in (signal.SIGINT, signal.SIGTERM):
            old[s] = signal.signal(s, lambda signum, frame: pending.append(signum))
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
        arrived = [s for s in pending if old[s] is not signal.SIG_IGN]
        if arrived:
            if arrived[0] == signal.SIGINT:
                raise KeyboardInterrupt
            raise _Terminated(arrived[0])
