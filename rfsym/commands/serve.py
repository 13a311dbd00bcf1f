"""``rfsym serve [SPEC|ZOO_NAME|MODEL] [--port N]``: the interactive calculator in the browser.

Starts a local web application (Starlette on uvicorn, the ``web`` extra) bound to 127.0.0.1 and
prints its URL.  The page edits a chain or a graph and shows, on every edit, the per-layer table,
the checked derivation (MathML), misalignments, closed forms and a what-if panel; all of it is
computed here, in Python, by the same engine and spec parser as the other subcommands.  The
network given on the command line is read once, before the server starts; requests never name
a file.  ``--port 0`` picks a free port.  See ``docs/web.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
from typing import Any

from rfsym import zoo
from rfsym.adapters.files import is_model_file, load_model
from rfsym.errors import MissingDependencyError, RfsymError, SpecError
from rfsym.model.spec import from_spec, to_spec

__all__ = ["add_parser", "initial_spec", "run"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Register ``serve``."""
    parser = sub.add_parser(
        "serve",
        help="interactive receptive-field calculator in the browser",
        description="Serve the interactive calculator on a local port: edit a network, see its "
        "receptive fields and checked derivation live.  Needs the web extra.",
    )
    parser.add_argument(
        "spec",
        metavar="SPEC",
        nargs="?",
        help="a spec file, a model file (.onnx) or a zoo network name to start with",
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, this machine)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="time limit per request (default 10)",
    )
    parser.set_defaults(run=run)


def initial_spec(spec: str) -> dict[str, Any]:
    """The spec object of the network named on the command line (validated by ``from_spec``)."""
    if is_model_file(spec):
        imported = load_model(spec)
        for line in imported.diagnostics:
            print(f"rfsym: note: {spec}: {line}", file=sys.stderr)
        return to_spec(imported.graph)
    if os.path.exists(spec):
        try:
            with open(spec, encoding="utf-8") as handle:
                text = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise SpecError(f"{spec}: cannot read the spec file ({exc})") from None
        from_spec(text, source=spec)
        return json.loads(text)
    if spec in zoo.names():
        return json.loads(zoo.path(spec).read_text(encoding="utf-8"))
    raise SpecError(f"{spec}: no such spec file, and not a zoo network ({', '.join(zoo.names())})")


def run(args: argparse.Namespace) -> int:
    """Read the network, bind the port, print the URL, serve until interrupted."""
    try:
        import uvicorn
    except ImportError:
        raise MissingDependencyError(
            "rfsym serve needs the web extra (uvicorn is missing): pip install 'rfsym[web]'"
        ) from None
    from rfsym.web.app import create_app  # raises MissingDependencyError without starlette

    if not args.timeout > 0:
        raise SpecError(f"--timeout = {args.timeout} is not allowed; give a positive number")
    initial = initial_spec(args.spec) if args.spec else None
    try:
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        sock = socket.create_server((args.host, args.port), family=family)
    except OSError as exc:
        raise RfsymError(
            f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}"
        ) from None
    port = sock.getsockname()[1]
    app = create_app(initial, source=args.spec, timeout=args.timeout, hosts=(args.host,))
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"rfsym: serving on http://{host}:{port}/ (Ctrl+C stops)", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    return 0
