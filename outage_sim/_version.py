"""The package version, in one place (read by the model version and ``--version``)."""

__version__ = "0.1.0"
