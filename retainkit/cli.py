"""The ``retainkit`` command line: argument parsing only; the work is in the package.

Commands::

    retainkit report [--data PATH_OR_PRESET] [--columns PROFILE_OR_MAPPING.toml] [-p NAME=VALUE]...
                     [--previous RUN_DIR] [--out DIR] [--only NOTEBOOK]... [--overwrite] [--jobs N]
    retainkit app [--data PATH_OR_PRESET] [--columns ...] [-p NAME=VALUE]... [--previous RUN_DIR]
                  [--port N] [--host ADDRESS]
                                    serve the notebooks as a dashboard app (Voilà)
    retainkit lab                   open JupyterLab on the notebooks
    retainkit presets               list the bundled data sets
    retainkit simulate --out DIR    write a simulated shop (the demo data)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Sequence

from retainkit.app._server import DEFAULT_PORT, LOCALHOST
from retainkit.exceptions import RetainkitError
from retainkit.presets import PRESETS

__all__ = ["main"]

# Only light modules are imported here: each command imports what it needs, so that
# ``retainkit --help`` and ``retainkit presets`` start without Ibis, DuckDB or matplotlib.


def _parse_assignment(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name.strip(), value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, got {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def _data_arguments(command: argparse.ArgumentParser) -> None:
    """Add the options naming the data and the notebooks' parameters (report and app)."""
    command.add_argument(
        "--data",
        help=f"preset name ({', '.join(PRESETS)}) or path of a transaction file; default: demo",
    )
    command.add_argument(
        "--columns",
        help="an export profile (shopify, woocommerce, woocommerce_items, stripe, paypal, square, "
        "etsy, xero, quickbooks, sap, amazon_orders) or a column mapping file (TOML with a "
        "[columns] table)",
    )
    command.add_argument(
        "-p",
        "--parameter",
        action="append",
        default=[],
        type=_parse_assignment,
        metavar="NAME=VALUE",
        help="set a notebook parameter (repeatable), e.g. -p as_of=2019-12-30 -p churn_days=180",
    )
    command.add_argument(
        "--previous",
        help="last month's run folder (read only): the call list says who is new, who came "
        "back and what the calls achieved (the call_list file's called/outcome columns)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="retainkit", description="Customer-retention analysis from a transaction log."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    rep = sub.add_parser(
        "report",
        help="execute the notebooks into a report folder",
        description="Execute the notebooks with Papermill into a run folder with HTML pages, "
        "index.html and manifest.json.",
    )
    _data_arguments(rep)
    rep.add_argument("--out", help="run folder; default: reports/<time>-<data>")
    rep.add_argument(
        "--only",
        action="append",
        metavar="NOTEBOOK",
        help="run only this notebook (repeatable): 01_groundwork, groundwork or 01",
    )
    rep.add_argument("--overwrite", action="store_true", help="replace an existing --out folder")
    rep.add_argument(
        "--jobs",
        type=_positive_int,
        metavar="N",
        help="notebooks run at once; default: the number of cores, one more for data under "
        "1 million rows (1: one after another)",
    )
    rep.add_argument("--reports-dir", default="reports", help="where default run folders go")

    app = sub.add_parser(
        "app",
        help="serve the notebooks as a dashboard app (Voilà)",
        description="Serve the notebooks as pages of one web app, with a front page of their "
        "headline figures and the notebooks' scenario controls live; the code is hidden. "
        "Ctrl-C stops it.",
    )
    _data_arguments(app)
    app.add_argument(
        "--port",
        type=_port,
        metavar="N",
        help=f"port to listen on; default {DEFAULT_PORT}, or a free one when that is taken",
    )
    app.add_argument(
        "--host",
        default=LOCALHOST,
        metavar="ADDRESS",
        help=f"address to listen on; default {LOCALHOST}, this machine only. Another address "
        "(0.0.0.0: every network) lets anyone who reaches it open the app without a password "
        "and run the notebooks on this machine's data",
    )
    sub.add_parser("lab", help="open JupyterLab on the notebooks")
    sub.add_parser("presets", help="list the bundled data sets")
    sim = sub.add_parser("simulate", help="write a simulated shop (the demo data)")
    sim.add_argument("--out", required=True, help="folder to write")
    sim.add_argument("--seed", type=int, help="random seed (default: the demo shop's)")
    sim.add_argument("--customers", type=int, help="background customers")
    return parser


def _without_iri_grammar() -> None:
    """Keep jsonschema from compiling its IRI grammar when this command imports it.

    The report validates notebooks with nbformat, which imports jsonschema, whose
    optional ``iri`` format check imports ``rfc3987_syntax``: that package builds a
    Lark grammar on import, 1.4 s of the 2.1 s ``import papermill`` takes on a 2-core
    machine (``python -X importtime``). The notebook schema checks no ``format``, so
    nothing here uses the check. Only when jsonschema is not yet imported (the
    command's own process; a caller who has it keeps it as it is).
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _report(args: argparse.Namespace) -> int:
    _without_iri_grammar()
    from retainkit.report import run_report

    def say(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    params = dict(args.parameter)
    result = run_report(
        args.data,
        columns=args.columns,
        parameters=params,
        previous=args.previous,
        out=args.out,
        only=args.only,
        reports_dir=args.reports_dir,
        overwrite=args.overwrite,
        progress=say,
        jobs=args.jobs,
    )
    total = result.manifest["timings_seconds"].get("total", 0.0)
    say(f"Report written in {total:.1f} s to {result.folder}")
    sys.stdout.write(f"{result.index}\n")
    return 0


def _app(args: argparse.Namespace) -> int:
    from retainkit.app import run_app

    def say(line: str) -> None:
        sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def ready(address: str) -> None:
        say("The app is ready; Ctrl-C stops it. Its address:")
        sys.stdout.write(f"{address}\n")
        sys.stdout.flush()

    try:
        run_app(
            args.data,
            columns=args.columns,
            parameters=dict(args.parameter),
            previous=args.previous,
            host=args.host,
            port=args.port,
            progress=say,
            ready=ready,
        )
    except KeyboardInterrupt:  # how the app is stopped: the server and its folder are gone
        say("Stopped.")
    return 0


def _lab() -> int:
    from retainkit._resources import notebooks_dir

    folder = notebooks_dir()
    return subprocess.call([sys.executable, "-m", "jupyterlab", str(folder)])


def _presets() -> int:
    for preset in PRESETS.values():
        sys.stdout.write(f"{preset.name:<14} {preset.title}: {preset.description}\n")
    return 0


def _simulate(args: argparse.Namespace) -> int:
    from retainkit.simulate import simulate_shop, write_shop

    overrides = {}
    if args.seed is not None:
        overrides["seed"] = args.seed
    if args.customers is not None:
        overrides["n_customers"] = args.customers
    paths = write_shop(simulate_shop(**overrides), args.out)
    for path in paths.values():
        sys.stdout.write(f"{path}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default: ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success, 2 for a retainkit error (the message is on stderr), 130 when
        interrupted.

    Examples
    --------
    >>> main(["presets"])  # doctest: +ELLIPSIS
    demo ...
    0
    """
    args = _parser().parse_args(argv)
    try:
        if args.command == "report":
            return _report(args)
        if args.command == "app":
            return _app(args)
        if args.command == "lab":
            return _lab()
        if args.command == "presets":
            return _presets()
        return _simulate(args)
    except RetainkitError as exc:
        sys.stderr.write(f"retainkit: error: {exc}\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("retainkit: interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
