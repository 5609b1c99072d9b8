"""The dashboard app: the notebooks served as web pages with live controls (Voilà).

``retainkit app`` runs :func:`run_app`: it writes parameterised copies of the notebooks
and a front page (each notebook's headline figures, what changed since the previous
review, the call list's files) into a temporary folder and serves them with Voilà on
this machine's own address. The pages hide their code; their errors show as the
message ``retainkit`` prints on the command line (:func:`show_errors_plainly`).

Modules
-------
_notebooks
    The pages: the notebooks' copies and the generated front page.
_server
    Starting Voilà, waiting for the front page, stopping and cleaning up.
_voila
    Voilà with the front page at the root address.
_errors
    Errors as a message on the page, the traceback in the terminal.
"""

from retainkit.app._errors import error_message, show_errors_plainly
from retainkit.app._notebooks import FRONT_PAGE, write_pages
from retainkit.app._server import DEFAULT_PORT, LOCALHOST, exposure_warning, run_app

__all__ = [
    "DEFAULT_PORT",
    "FRONT_PAGE",
    "LOCALHOST",
    "error_message",
    "exposure_warning",
    "run_app",
    "show_errors_plainly",
    "write_pages",
]
