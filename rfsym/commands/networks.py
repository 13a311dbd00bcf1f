"""Where the CLI's networks come from: a spec file, a model file, or a zoo name.

One loader for every subcommand, so ``rfsym derive`` and ``rfsym report`` accept the same
things: a JSON spec (``docs/spec-format.md``), ``-`` for a spec on standard input, a model file
read by an adapter (``.onnx``, with the ``onnx`` extra; its notes go to stderr when the import
is partial), or a name from :mod:`rfsym.zoo`.  Every error names the file (``<stdin>`` for
``-``).

>>> load_network("patchgan_70").name
'patchgan_70'
"""

from __future__ import annotations

import os
import sys

from rfsym import zoo
from rfsym.adapters.files import is_model_file, load_model
from rfsym.errors import SpecError, SpecLimitError
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph
from rfsym.model.limits import MAX_SPEC_BYTES
from rfsym.model.spec import from_spec, load_spec

STDIN = "<stdin>"

__all__ = ["load_network"]


def load_network(spec: str, *, schedules: bool = False) -> Chain | Graph:
    """The network named by ``spec`` (a path, ``-`` for standard input, or a zoo name).

    A spec with repeat blocks (:mod:`rfsym.model.schedule`) is kept as a ``Schedule`` when
    ``schedules`` (``rfsym whatif``), else written out as a chain when every count is a number.
    """
    if spec == "-":
        data = sys.stdin.buffer.read(MAX_SPEC_BYTES + 1)
        if len(data) > MAX_SPEC_BYTES:
            raise SpecLimitError(
                f"{STDIN}: the spec is larger than {MAX_SPEC_BYTES} bytes; rfsym reads specs up "
                "to that size"
            )
        return _kept_or_written_out(STDIN, from_spec(data, source=STDIN), schedules)
    if is_model_file(spec):
        imported = load_model(spec)
        for line in imported.diagnostics:
            print(f"rfsym: note: {spec}: {line}", file=sys.stderr)
        if imported.partial:
            print(f"rfsym: warning: {spec}: the imported graph is partial", file=sys.stderr)
        return imported.graph
    if not os.path.exists(spec):
        if spec in zoo.names():
            return zoo.load(spec)
        raise SpecError(
            f"{spec}: no such spec file, and not a zoo network ({', '.join(zoo.names())})"
        )
    return _kept_or_written_out(spec, load_spec(spec), schedules)


MAX_WRITTEN_OUT = 1_000_000
"""Most layers a spec's repeat blocks may write out for the commands that need a chain."""


def _kept_or_written_out(source: str, network: object, schedules: bool) -> Chain | Graph:
    from rfsym.model.schedule import Schedule

    if schedules or not isinstance(network, Schedule):
        return network
    if network.count_symbols:
        names = ", ".join(s.name for s in network.count_symbols)
        raise SpecError(
            f"{source}: the repeat count {names} is a symbol; this command needs every count to "
            "be a number (rfsym whatif solve/sweep/compare answer questions about a symbolic depth)"
        )
    if network.length() > MAX_WRITTEN_OUT:
        raise SpecLimitError(
            f"{source}: the repeat blocks write out {network.length()} layers; at most "
            f"{MAX_WRITTEN_OUT} are allowed"
        )
    return network.unrolled()
