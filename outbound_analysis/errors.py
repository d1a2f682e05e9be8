"""Errors a user can act on. Their messages are Spanish sentences: what is wrong and how to fix it."""

from __future__ import annotations


class OutboundError(Exception):
    """Base of every error the package reports to an analyst (the CLI prints it, no traceback)."""


class DataError(OutboundError):
    """An input file cannot be used as it is (missing, empty, unreadable, wrong columns or codes)."""


class ParamsError(OutboundError):
    """A parameters file or a parameter value is invalid."""


class ReportError(OutboundError):
    """A report notebook failed while running."""


class OutputError(OutboundError):
    """The output folder cannot be used: under a file, not writable, disk full."""


class OutputBusyError(OutputError):
    """Another run holds the lock of the output folder."""


class EngineMemoryError(ReportError):
    """The SQL engine needed more memory than its limit (and the query could not spill to disk)."""
