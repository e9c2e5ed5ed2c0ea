"""The exception hierarchy of outage_sim.

Library code raises these; the CLI turns them into one line on stderr and their exit status (2
for input and usage problems) without a traceback. Output places are checked by
:func:`outage_sim.outputs.check_output`.
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


class OutputError(InputError):
    """An output place that cannot take the files: full disk, read-only or permission denied
    (exit 2). Raised by :mod:`outage_sim.outputs` after removing its temporaries."""


class Interrupted(OutageSimError):
    """SIGINT or SIGTERM stopped a run while it wrote its files (exit 130 or 143, as a shell
    reports a process ended by the signal). The message says what the output folder holds."""

    def __init__(self, message: str, *, exit_code: int = 130):
        super().__init__(message)
        self.exit_code = exit_code


def did_you_mean(name: str, choices, cutoff: float = 0.3) -> str:
    """``"; did you mean 'X'?"`` for the closest of ``choices`` to ``name``, or ``""``.

    The one place error messages get their suggestion from (difflib's ratio; ``cutoff`` 0 always
    suggests something).
    """
    import difflib

    close = difflib.get_close_matches(str(name), [str(c) for c in choices], n=1, cutoff=cutoff)
    return f"; did you mean {close[0]!r}?" if close else ""
