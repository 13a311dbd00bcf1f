"""Run the page's jobs in a separate process with a time bound per request.

A Python thread cannot be stopped, so an analysis that runs too long (a hostile spec, a huge
symbolic expansion) would hang a server that computed in its own threads.  The jobs of
:mod:`rfsym.web.jobs` therefore run in one worker process, started with ``spawn`` (no state
copied from the server); a request that has not finished after ``timeout`` seconds gets a
:class:`~rfsym.errors.LimitError`-style message, the worker is killed and a fresh one is
started.  The worker also caps its address space (``RLIMIT_AS``) so that a request cannot take
the machine's memory.  Requests are served one at a time (a lock): the page is for one user.
"""

from __future__ import annotations

import multiprocessing
import threading
from multiprocessing.connection import Connection
from typing import Any

__all__ = ["MEMORY_LIMIT", "Worker"]

MEMORY_LIMIT = 4 * 2**30
"""Address-space limit of the worker process, in bytes (Linux and macOS; ignored elsewhere)."""


def _serve(conn: Connection, memory_limit: int | None) -> None:  # pragma: no cover - child
    if memory_limit is not None:
        try:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
        except (ImportError, ValueError, OSError):
            pass
    from rfsym.web.jobs import run_job

    run_job(
        "analyse", {"spec": {"schema_version": 1, "layers": [{"type": "conv", "kernel_size": 3}]}}
    )
    conn.send({"ok": True, "ready": True})
    while True:
        try:
            name, request = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(run_job(name, request))


class Worker:
    """One worker process answering :func:`rfsym.web.jobs.run_job` calls, with a time bound.

    Args:
        timeout: seconds a request may take before the worker is replaced.
        memory_limit: address-space cap of the worker in bytes (``None``: no cap).
    """

    def __init__(self, *, timeout: float = 10.0, memory_limit: int | None = MEMORY_LIMIT):
        self.timeout = timeout
        self.memory_limit = memory_limit
        self._lock = threading.Lock()
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._conn: Connection | None = None
        self._ready = False
        self._start()

    def _start(self) -> None:
        parent, child = self._context.Pipe()
        self._process = self._context.Process(
            target=_serve, args=(child, self.memory_limit), daemon=True, name="rfsym-web-worker"
        )
        self._process.start()
        child.close()
        self._conn = parent
        self._ready = False

    def _stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._process is not None and self._process.is_alive():
            self._process.kill()
            self._process.join(5)

    def close(self) -> None:
        """Stop the worker process."""
        with self._lock:
            self._stop()

    def _wait_ready(self) -> None:
        if self._ready:
            return
        assert self._conn is not None
        if not self._conn.poll(60):  # the first start imports SymPy: seconds, not minutes
            raise TimeoutError("the analysis process did not start")
        self._conn.recv()
        self._ready = True

    def call(self, name: str, request: dict[str, Any]) -> dict[str, Any]:
        """Run job ``name`` in the worker; a slow or crashed job becomes an error payload."""
        with self._lock:
            try:
                self._wait_ready()
                assert self._conn is not None
                self._conn.send((name, request))
                if self._conn.poll(self.timeout):
                    return self._conn.recv()
            except (EOFError, OSError, TimeoutError) as err:
                self._stop()
                self._start()
                return {
                    "ok": False,
                    "error": {
                        "message": f"the analysis process stopped unexpectedly ({err or type(err).__name__}); "
                        "it has been restarted",
                        "type": "LimitError",
                    },
                }
            self._stop()
            self._start()
            return {
                "ok": False,
                "error": {
                    "message": f"the request took longer than {self.timeout:g} s, the time limit "
                    "per request (rfsym serve --timeout), and was stopped; the previous network "
                    "is kept",
                    "type": "LimitError",
                },
            }
