"""How the app's pages show an error: the message as text, the traceback only in the terminal.

A notebook page that fails (data that cannot be loaded, say) must tell its reader what is
wrong, as ``retainkit report`` does on the command line, not show a traceback. Voilà hides
error outputs behind a generic line; the app's kernels therefore turn an exception into a
plain message of their own (a display output, which Voilà keeps) and write the full
traceback to the kernel's standard error, which is the terminal running ``retainkit app``.
The cell still fails, so Voilà stops running the page there, as JupyterLab's Run All does.
"""

from __future__ import annotations

import html
import sys
import traceback
from types import TracebackType
from typing import Any

from retainkit.exceptions import RetainkitError

__all__ = ["error_message", "show_errors_plainly"]

#: Class of the box an error is shown in (the browser test looks for it).
ERROR_CLASS = "retainkit-app-error"


def error_message(error: BaseException) -> str:
    """Return the line a reader sees for an error: the command line's wording.

    A retainkit error is its message, as ``retainkit report`` prints it; any other error
    is named, with a pointer to the terminal that has its traceback.

    Parameters
    ----------
    error : BaseException

    Returns
    -------
    str

    Examples
    --------
    >>> from retainkit.exceptions import SchemaError
    >>> error_message(SchemaError("no column 'order_date'"))
    "retainkit: error: no column 'order_date'"
    >>> error_message(KeyError("x"))
    "KeyError: 'x' (the traceback is in the terminal running `retainkit app`)"
    """
    if isinstance(error, RetainkitError):
        return f"retainkit: error: {error}"
    return (
        f"{type(error).__name__}: {error} (the traceback is in the terminal running "
        "`retainkit app`)"
    )


def _bundle(message: str) -> dict[str, str]:
    box = (
        f"<div class='{ERROR_CLASS}' style='border-left: 4px solid #c0392b; "
        "background: #fdecea; padding: 0.6em 1em; white-space: pre-wrap; "
        f"font-family: monospace'>{html.escape(message)}</div>"
    )
    return {"text/plain": message, "text/html": box}


def _show(
    shell: Any,
    etype: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
    tb_offset: int | None = None,
) -> list[str]:
    """IPython's custom exception handler: show the message, log the traceback."""
    from IPython.display import display

    message = error_message(value)
    display(_bundle(message), raw=True)
    stream = sys.__stderr__
    if stream is not None:
        if isinstance(value, RetainkitError):
            stream.write(message + "\n")
        else:
            stream.write("".join(traceback.format_exception(etype, value, tb)))
        stream.flush()
    return []


def show_errors_plainly(shell: Any = None) -> None:
    """Make this IPython kernel show errors as a message, never as a traceback.

    Every exception a cell raises is shown as one line (:func:`error_message`) in a
    red box; the cell still fails, so that a page stops there. The full traceback goes
    to the kernel's standard error (the terminal of ``retainkit app``).

    Parameters
    ----------
    shell : IPython InteractiveShell, optional
        Default: the running one. Outside IPython this does nothing.

    Examples
    --------
    >>> show_errors_plainly()  # outside IPython: nothing to change
    """
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is None:
        return
    shell.set_custom_exc((Exception,), _show)
