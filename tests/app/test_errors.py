"""Errors on the app's pages: the command line's message, never a traceback."""

from types import SimpleNamespace

from retainkit.app import error_message, show_errors_plainly
from retainkit.app._errors import _show
from retainkit.exceptions import SchemaError


def test_a_retainkit_error_is_its_message_as_the_command_line_prints_it():
    assert error_message(SchemaError("no column 'x'")) == "retainkit: error: no column 'x'"


def test_another_error_is_named_and_points_at_the_terminal():
    text = error_message(ZeroDivisionError("division by zero"))
    assert text.startswith("ZeroDivisionError: division by zero (the traceback is in the ")


def test_the_handler_catches_every_exception():
    seen = {}
    shell = SimpleNamespace(set_custom_exc=lambda types, handler: seen.update(t=types, h=handler))
    show_errors_plainly(shell)
    assert seen == {"t": (Exception,), "h": _show}


def test_the_handler_shows_no_traceback(capfd):
    try:
        raise SchemaError("the mapping points 'customer_id' at 'nope'")
    except SchemaError as exc:
        error = exc
    # outside IPython, display prints the bundle; the structured traceback is empty
    assert _show(None, SchemaError, error, error.__traceback__) == []
    shown = capfd.readouterr()
    assert "retainkit: error: the mapping points 'customer_id' at 'nope'" in shown.out
    assert "Traceback" not in shown.out
    # the terminal (the kernel's standard error) gets the same line
    assert shown.err == "retainkit: error: the mapping points 'customer_id' at 'nope'\n"
