"""The app's Voilà server: Voilà's own, with its front page at the root address.

Run as ``python -m retainkit.app._voila FOLDER [Voilà options]`` by
:func:`retainkit.app.run_app`. Voilà serves the folder's notebooks as pages (tree mode);
its root address shows the folder's listing, which this server replaces with a redirect
to the front page (:data:`FRONT_PAGE`). Everything else is Voilà as it comes: the pages'
kernels accept widget messages only, never code from the browser.
"""

from __future__ import annotations

from typing import Any

import tornado.web
from jupyter_server.utils import url_path_join
from voila.app import Voila

from retainkit.app._notebooks import FRONT_PAGE

__all__ = ["RetainkitVoila", "main"]


class RetainkitVoila(Voila):
    """Voilà in tree mode whose root address opens the front page."""

    def init_handlers(self) -> list[Any]:
        """Return Voilà's handlers, the root address redirected to the front page first."""
        front = url_path_join(self.base_url, "voila/render", FRONT_PAGE)
        root = (self.server_url or self.base_url, tornado.web.RedirectHandler, {"url": front})
        return [root, *super().init_handlers()]


def main() -> None:
    """Start the server with the command line's arguments (Voilà's options)."""
    RetainkitVoila.launch_instance()


if __name__ == "__main__":  # pragma: no cover
    main()
