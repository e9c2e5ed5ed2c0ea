"""The exception hierarchy of outage_sim.

Library code raises these; the CLI turns them into one line on stderr and exit status 2 (input
and usage problems) without a traceback.
"""


class OutageSimError(Exception):
    """Base class of every error outage_sim raises on purpose."""

    exit_code = 1


class InputError(OutageSimError, ValueError):
    """Bad input from the user: a field, option or value that cannot be used.

    The message names the culprit (field, district, option) so the user can fix it.
    """

    exit_code = 2


class DataFileError(InputError):
    """A data file (shipped grid data, plan file, scenario) is missing, unreadable or malformed."""


class AnnotationError(InputError):
    """A pandapower net lacks the annotations (district, customers, priorities) later stages need."""


class ModelError(OutageSimError):
    """The grid model is physically unusable (e.g. the power flow does not converge)."""


def did_you_mean(name: str, choices, cutoff: float = 0.3) -> str:
    """``"; did you mean 'X'?"`` for the closest of ``choices`` to ``name``, or ``""``.

    The one place error messages get their suggestion from (difflib's ratio; ``cutoff`` 0 always
    suggests something).
    """
    import difflib

    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""


def check_output(path, names=(), *, force: bool = False, field: str = "--out"):
    """Refuse to lose the user's files: ``path`` as an output folder (when ``names`` are the
    files to be written in it) or as an output file (no ``names``).

    Raises :class:`InputError` naming ``field`` when the folder is a file, or a file to be written
    exists and ``force`` is false. Returns ``path`` as a :class:`pathlib.Path`.
    """
    from pathlib import Path

    path = Path(path)
    if names:
        if path.exists() and not path.is_dir():
            raise InputError(f"{field}: {path} exists and is not a folder")
        clash = [path / n for n in names if (path / n).exists()]
    else:
        clash = [path] if path.exists() else []
    if clash and not force:
        raise InputError(f"{field}: {clash[0]} exists; choose another place or pass --force")
    return path
