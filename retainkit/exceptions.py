"""Every error retainkit raises.

All of them inherit from :class:`RetainkitError`, so ``except RetainkitError`` catches
anything the kit raises on purpose. Errors about the user's data also subclass
:class:`ValueError`.
"""

from __future__ import annotations

__all__ = [
    "ConvergenceError",
    "DataValidationError",
    "MissingDependencyError",
    "NotFittedError",
    "ReportError",
    "RetainkitError",
    "SchemaError",
]


class RetainkitError(Exception):
    """Base class of every error raised by retainkit."""


class SchemaError(RetainkitError, ValueError):
    """A table lacks a column, or a column mapping is wrong.

    The message names the column, lists what was found and says how to fix it.
    """


class DataValidationError(RetainkitError, ValueError):
    """The values in a table cannot be used as they are.

    The message names the column, gives the count and the first offending rows or
    customer ids, and says how to fix it.
    """


class NotFittedError(RetainkitError, ValueError):
    """A model was used before ``fit`` was called."""


class ConvergenceError(RetainkitError, ValueError):
    """A model fit did not converge; the message says what to try."""


class ReportError(RetainkitError):
    """A report run failed; the message names the notebook and the failing cell."""


class MissingDependencyError(RetainkitError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""
