"""The Starlette application behind ``rfsym serve``: static page, JSON API, time-bounded worker.

Routes (all on one origin, nothing fetched from elsewhere):

* ``GET /`` -- the page (``static/index.html``); ``GET /static/...`` -- its script and style;
* ``GET /api/info`` -- zoo names, layer kinds and their fields (from the spec parser's own
  tables), limits, whether ONNX can be read, and the network given on the command line;
* ``GET /api/zoo/{name}`` -- a zoo network's spec (the name must be one of ``rfsym.zoo.names()``);
* ``POST /api/{job}`` with a JSON body -- ``analyse``, ``figures``, ``load``, ``to_graph``,
  ``export``, ``whatif`` (see :mod:`rfsym.web.jobs`); ``POST /api/onnx`` with the model's bytes.
  ``figures`` runs in a second worker process, so it is drawn while the first one derives.

No request names a file: the only file read is the one given on the command line (read before
the server starts) and the package's own zoo and static files.  Bodies are size-capped before
they are parsed, POSTs must be ``application/json`` (or ``application/octet-stream`` for ONNX)
so that another web site cannot post to the server without a CORS preflight it never gets, and
the ``Host`` header must be a loopback name (against DNS rebinding).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from rfsym.errors import MissingDependencyError

try:
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.middleware import Middleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, JSONResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles
except ImportError as _err:
    raise MissingDependencyError(
        f"rfsym.web.app needs the web extra ({_err.name} is missing): pip install 'rfsym[web]'"
    ) from None

from rfsym import zoo
from rfsym.model import spec as spec_module
from rfsym.model.expression import MAX_DEGREE, MAX_LENGTH
from rfsym.web.jobs import JOBS, MAX_ONNX_BYTES, MAX_SPEC_BYTES
from rfsym.web.worker import Worker

__all__ = ["STATIC", "create_app", "layer_kinds"]

STATIC = Path(__file__).parent / "static"
"""The page's files, shipped as package data."""

_HEADERS = {
    # style-src-attr: the figures' SVG root scales itself with a style attribute; style sheets
    # and scripts still come only from the package ('self').
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; "
    "style-src-attr 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}
_LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]", "testserver"]


def layer_kinds() -> dict[str, Any]:
    """Every layer type the spec parser reads, with its fields, required fields and defaults.

    Read from the parser's own tables (``rfsym.model.spec``) and the layer classes' field
    defaults, so the page's editor offers exactly what ``from_spec`` accepts.
    """
    kinds = {}
    for name, cls in spec_module._LAYER_TYPES.items():
        defaults = {
            f.name: f.default
            for f in dataclasses.fields(cls)
            if f.init and f.default is not dataclasses.MISSING and f.default is not None
        }
        fields = [f for f in spec_module._LAYER_FIELDS[name] if f != "name"]
        kinds[name] = {
            "class": cls.__name__,
            "fields": fields,
            "required": list(spec_module._REQUIRED[name]),
            "per_axis": [f for f in fields if f in spec_module._PER_AXIS],
            "defaults": {
                f: (v if isinstance(v, bool | str) else str(v))
                for f, v in defaults.items()
                if f in fields
            },
        }
    return kinds


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


class _TooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"the request is larger than {limit} bytes, the limit of rfsym serve")


def _error(message: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"ok": False, "error": {"message": message}}, status, headers=_HEADERS)


def create_app(
    initial: dict[str, Any] | None = None,
    *,
    source: str | None = None,
    timeout: float = 10.0,
    worker: Worker | None = None,
    hosts: tuple[str, ...] = (),
) -> Starlette:
    """The web application.

    Args:
        initial: the spec shown first (the network given on the command line), or ``None``.
        source: how to name it on the page (its file or zoo name).
        timeout: seconds one request may compute before it is stopped.
        worker: the job runner for every request (default: two new
            :class:`~rfsym.web.worker.Worker` processes, one of them for figures only).
        hosts: ``Host`` names accepted besides the loopback ones (the ``--host`` bound to).
    """
    runner = worker if worker is not None else Worker(timeout=timeout)
    # figures are drawn by a second worker, in parallel with the derivation of the first
    drawer = Worker(timeout=timeout) if worker is None else worker
    info = {
        "zoo": list(zoo.names()),
        "kinds": layer_kinds(),
        "onnx": importlib.util.find_spec("onnx") is not None,
        "initial": initial,
        "source": source,
        "limits": {
            "spec_bytes": MAX_SPEC_BYTES,
            "onnx_bytes": MAX_ONNX_BYTES,
            "expression_length": MAX_LENGTH,
            "degree": MAX_DEGREE,
            "seconds": runner.timeout,
        },
    }

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", headers=_HEADERS)

    async def api_info(request: Request) -> Response:
        return JSONResponse(info, headers=_HEADERS)

    async def api_zoo(request: Request) -> Response:
        name = request.path_params["name"]
        if name not in zoo.names():
            return _error(f"zoo: no network {name!r}; the zoo has {', '.join(zoo.names())}", 404)
        spec = json.loads(zoo.path(name).read_text(encoding="utf-8"))
        return JSONResponse({"ok": True, "spec": spec}, headers=_HEADERS)

    async def api_job(request: Request) -> Response:
        name = request.path_params["job"]
        if name not in JOBS or name == "onnx":
            return _error(f"unknown request {name!r}", 404)
        if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
            return _error("requests must be sent as application/json", 415)
        try:
            payload = json.loads(await _body(request, MAX_SPEC_BYTES + 10_000))
        except _TooLarge as err:
            return _error(str(err), 413)
        except (ValueError, UnicodeDecodeError):
            return _error("the request is not valid JSON")
        if not isinstance(payload, dict):
            return _error("the request must be a JSON object")
        chosen = drawer if name == "figures" else runner
        answer = await run_in_threadpool(chosen.call, name, payload)
        return JSONResponse(answer, headers=_HEADERS)

    async def api_onnx(request: Request) -> Response:
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        if kind != "application/octet-stream":
            return _error("upload the model as application/octet-stream", 415)
        try:
            data = await _body(request, MAX_ONNX_BYTES)
        except _TooLarge as err:
            return _error(str(err), 413)
        answer = await run_in_threadpool(runner.call, "onnx", {"data": data})
        return JSONResponse(answer, headers=_HEADERS)

    @asynccontextmanager
    async def lifespan(app: Starlette):
        try:
            yield
        finally:
            runner.close()
            if drawer is not runner:
                drawer.close()

    return Starlette(
        routes=[
            Route("/", page),
            Route("/api/info", api_info),
            Route("/api/zoo/{name}", api_zoo),
            Route("/api/onnx", api_onnx, methods=["POST"]),
            Route("/api/{job}", api_job, methods=["POST"]),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=[*_LOOPBACK_HOSTS, *hosts])],
        lifespan=lifespan,
    )
