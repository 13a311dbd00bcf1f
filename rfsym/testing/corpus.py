"""A reproducible conformance corpus as JSON Lines, and the checker for other tools' answers.

Each line is one case, a JSON object.  A chain case::

    {"schema_version": 1, "case": 0, "seed": 7,
     "network": {...a chain spec, docs/spec-format.md...},
     "axes": [{"rf": 5, "jump": 2, "padding": 0, "start": 0, "end": 4, "centre": 2}],
     "layers": [[{"rf": 3, ...}], [{"rf": 5, ...}]]}

``axes`` has the values of the network's output, one object per spatial axis; ``layers`` the
values after each layer ``1..n`` (one list of per-axis objects per layer).  A graph case
(residual and inception blocks, U-Net skips, transposed convolutions, upsampling) has a graph
spec as its ``network`` and ``nodes`` instead of ``layers``: an object from every node name but
the input's to its list of per-axis objects.  Its per-axis objects also hold ``aligned``
(``false`` when some merge on the way joins branches of different jumps or centres), and
``jump`` / ``rf_max`` may be ``null`` (merged paths of different jumps; no bound on an unbounded
input).

Numbers are exact: integers, and rationals as ``"p/q"`` strings (``"-1/2"``).  ``start``,
``end`` and ``centre`` are those of output unit 0 in 0-based input indices; ``padding`` is the
effective left padding.  The values come from :mod:`rfsym.testing.oracle` (a plain integer fold
for chains, :func:`rfsym.algebra.graph.analyse` for graphs).

Another tool reads the corpus, replaces the values by its own answers (it may leave fields,
``layers`` or ``nodes`` out) and :func:`check_answers` compares them with rfsym's.  Cases come from
:class:`random.Random` seeded with the corpus seed, so a seed, a count and a kind always give the
same file (and a shorter corpus is a prefix of a longer one).

>>> import random
>>> line = case_line(random_chain(random.Random(0), max_layers=2), index=0, seed=0)
>>> sorted(json.loads(line))
['axes', 'case', 'layers', 'network', 'schema_version', 'seed']
>>> graph = json.loads(case_line(random_graph(random.Random(3)), index=0, seed=3))
>>> sorted(graph), graph["network"]["kind"]
(['axes', 'case', 'network', 'nodes', 'schema_version', 'seed'], 'graph')
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

from rfsym.algebra.graph import analyse
from rfsym.errors import RfsymError, SpecError
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph, InputNode
from rfsym.model.spec import from_spec, parse_json, to_spec
from rfsym.testing.oracle import (
    FIELDS,
    AxisValues,
    Mismatch,
    expected_layers,
    find_mismatch,
    format_mismatch,
)
from rfsym.testing.random_networks import random_chain, random_graph

__all__ = [
    "CORPUS_VERSION",
    "KINDS",
    "CheckReport",
    "case_line",
    "check_answers",
    "decode_number",
    "encode_number",
    "generate",
    "random_chain",
    "random_graph",
]

CORPUS_VERSION = 1
"""The ``schema_version`` of corpus lines this module writes and reads."""

KINDS = ("chain", "graph", "mixed")
"""What :func:`generate` draws: chains only (the default), graphs only, or each case either."""

_NULLABLE = ("jump", "rf_max")  # fields whose value is None (JSON null) in some graph cases

_RATIONAL = re.compile(r"^-?[0-9]+/[0-9]+$")


def encode_number(value: int | Fraction) -> int | str:
    """An exact number as JSON: an int, or ``"p/q"`` for a non-integral rational.

    >>> encode_number(3), encode_number(Fraction(-1, 2))
    (3, '-1/2')
    """
    if isinstance(value, Fraction):
        return int(value) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"
    return int(value)


def decode_number(value: object, *, where: str) -> int | Fraction | float:
    """Read an int, a ``"p/q"`` string, or a float (kept as a float: it is reported inexact).

    Raises:
        SpecError: anything else (``true``, ``"abc"``, ``"1/0"``), naming ``where``.
    """
    if isinstance(value, bool):
        raise SpecError(
            f'{where}: {json.dumps(value)} is not a number; write an integer or a rational as "p/q"'
        )
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and _RATIONAL.match(value):
        p, q = value.split("/")
        if int(q) == 0:
            raise SpecError(f"{where}: {value!r} divides by zero")
        result = Fraction(int(p), int(q))
        return int(result) if result.denominator == 1 else result
    raise SpecError(
        f'{where}: {json.dumps(value)} is not a number; write an integer or a rational as "p/q"'
    )


# -- generating ---------------------------------------------------------------------------------


def _encode_values(values: AxisValues) -> dict[str, int | str | None]:
    return {
        field: None if getattr(values, field) is None else encode_number(getattr(values, field))
        for field in FIELDS
    }


def case_line(network: Chain | Graph, *, index: int, seed: int) -> str:
    """One corpus line (JSON, sorted keys, no trailing newline) with the exact values."""
    per_axis = [expected_layers(network, axis=a) for a in range(network.ndim)]
    record: dict[str, object] = {
        "schema_version": CORPUS_VERSION,
        "case": index,
        "seed": seed,
        "network": to_spec(network),
    }
    if isinstance(network, Graph):
        result = analyse(network)

        def values(name: str) -> list[dict[str, object]]:
            return [
                {**_encode_values(by_node[name]), "aligned": result.at(name, axis).aligned}
                for axis, by_node in enumerate(per_axis)
            ]

        record["axes"] = values(network.outputs[0])
        record["nodes"] = {
            name: values(name)
            for name in network.order
            if not isinstance(network.node(name), InputNode)
        }
    else:
        record["axes"] = [_encode_values(values[-1]) for values in per_axis]
        record["layers"] = [
            [_encode_values(values[i]) for values in per_axis] for i in range(1, len(network) + 1)
        ]
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def generate(
    seed: int, count: int, *, max_layers: int = 8, max_ndim: int = 2, kind: str = "chain"
) -> Iterator[str]:
    """``count`` corpus lines drawn with ``random.Random(seed)``.

    Args:
        kind: ``"chain"`` (the default, and the only kind before graphs were added: the same
            seed gives the same bytes as then), ``"graph"``, or ``"mixed"`` (each case a chain
            or a graph, evenly).

    Raises:
        SpecError: an unknown ``kind``.
    """
    if kind not in KINDS:
        raise SpecError(f"kind = {kind!r} is not allowed; kind must be one of {', '.join(KINDS)}")
    rng = random.Random(seed)
    for index in range(count):
        pick = kind if kind != "mixed" else rng.choice(("chain", "graph"))
        draw = random_chain if pick == "chain" else random_graph
        network = draw(rng, max_layers=max_layers, max_ndim=max_ndim)
        yield case_line(network, index=index, seed=seed)


# -- checking -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckReport:
    """The outcome of :func:`check_answers`: how many cases, and each disagreement's report."""

    cases: int
    failures: tuple[tuple[int, str], ...]  # (line number, report)

    @property
    def ok(self) -> bool:
        """Every case agrees."""
        return not self.failures


class _Answer(NamedTuple):
    """One stage's answer: per field, one value per axis; ``aligned`` per axis if given."""

    values: dict[str, list]
    aligned: list[bool] | None


def _per_axis_result(raw: object, where: str, ndim: int, *, graph: bool) -> _Answer:
    if not isinstance(raw, list) or not all(isinstance(a, Mapping) for a in raw):
        raise SpecError(f"{where}: must be a list with one object per axis, got {_short(raw)}")
    if len(raw) != ndim:
        raise SpecError(f"{where}: has {len(raw)} axis object(s); the network has {ndim} axes")
    known = (*FIELDS, "aligned") if graph else FIELDS
    for a, axis in enumerate(raw):
        unknown = sorted(set(axis) - set(known))
        if unknown:  # an answer under a misspelt name would otherwise never be compared
            raise SpecError(
                f"{where}[{a}]: field {unknown[0]!r} is unknown; answer fields: {', '.join(known)}"
            )
    values: dict[str, list] = {}
    aligned = None
    for field in known:
        present = [field in axis for axis in raw]
        if any(present) and not all(present):
            raise SpecError(f"{where}: field {field!r} is given for some axes but not all")
        if not (all(present) and raw):
            continue
        if field == "aligned":
            for a, axis in enumerate(raw):
                if not isinstance(axis[field], bool):
                    raise SpecError(
                        f"{where}[{a}].aligned: {_short(axis[field])} is not allowed; write true "
                        "or false"
                    )
            aligned = [axis[field] for axis in raw]
            continue
        values[field] = [
            None
            if axis[field] is None and field in _NULLABLE
            else decode_number(axis[field], where=f"{where}[{a}].{field}")
            for a, axis in enumerate(raw)
        ]
    if not values and aligned is None:
        raise SpecError(f"{where}: no known field; give any of {', '.join(known)}")
    return _Answer(values, aligned)


def _short(value: object) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_RECORD_KEYS = ("schema_version", "case", "seed", "network", "axes", "layers", "nodes")


def _read_case(text: str, where: str) -> tuple[dict, Chain | Graph]:
    """The JSON object of one line and its network, or a SpecError naming the line."""
    record = parse_json(text, source=where)  # strict: a repeated key is an error
    if not isinstance(record, dict):
        raise SpecError(f"{where}: a case must be a JSON object, got {_short(record)}")
    unknown = sorted(set(record) - set(_RECORD_KEYS))
    if unknown:
        raise SpecError(
            f"{where}: key {unknown[0]!r} is unknown; a case has only {', '.join(_RECORD_KEYS)}"
        )
    version = record.get("schema_version")
    if version != CORPUS_VERSION or isinstance(version, bool):
        raise SpecError(
            f"{where}: schema_version = {_short(version)} is not supported; this "
            f"version of rfsym reads schema_version {CORPUS_VERSION}"
        )
    if "network" not in record:
        raise SpecError(f'{where}: key "network" is missing (the network spec of the case)')
    try:
        network = from_spec(record["network"])
    except SpecError as exc:
        raise SpecError(f"{where}: network: {exc}") from exc
    stages, other = ("nodes", "layers") if isinstance(network, Graph) else ("layers", "nodes")
    if other in record:
        kind = "graph" if isinstance(network, Graph) else "chain"
        raise SpecError(
            f'{where}: key "{other}" does not belong to a {kind} case; give the answers per '
            f'{stages[:-1]} under "{stages}"'
        )
    if "axes" not in record and stages not in record:
        raise SpecError(f'{where}: give the answers under "axes" (output) or "{stages}"')
    return record, network


def _chain_stages(record: dict, chain: Chain, where: str) -> list[dict] | None:
    if "layers" not in record:
        return None
    raw = record["layers"]
    if not isinstance(raw, list) or len(raw) != len(chain):
        raise SpecError(
            f'{where}: "layers" must be a list with one entry per layer ({len(chain)}), got '
            f"{_short(raw)}"
        )
    return [
        _per_axis_result(layer, f"{where}: layers[{i}]", chain.ndim, graph=False).values
        for i, layer in enumerate(raw)
    ]


def _graph_stages(record: dict, graph: Graph, where: str) -> dict[str, _Answer] | None:
    if "nodes" not in record:
        return None
    raw = record["nodes"]
    if not isinstance(raw, dict) or not raw:
        raise SpecError(
            f'{where}: "nodes" must be an object from node names to answers, got {_short(raw)}'
        )
    answers = {}
    for name, answer in raw.items():
        if name not in graph.order:
            raise SpecError(
                f'{where}: "nodes" has {name!r}, which is not a node of the network; nodes: '
                f"{', '.join(graph.order)}"
            )
        answers[name] = _per_axis_result(answer, f"{where}: nodes.{name}", graph.ndim, graph=True)
    return answers


def _aligned_mismatch(graph: Graph, answers: Mapping[str, _Answer]) -> Mismatch | None:
    """The first node (topological order) and axis whose ``aligned`` answer is wrong."""
    result = None
    for name in graph.order:
        answer = answers.get(name)
        if answer is None or answer.aligned is None:
            continue
        result = result or analyse(graph)
        for axis, got in enumerate(answer.aligned):
            want = result.at(name, axis).aligned
            if got != want:
                return Mismatch(name, graph.describe(name), axis, "aligned", want, got, True)
    return None


def _graph_mismatch(graph: Graph, answers: dict[str, _Answer]) -> Mismatch | None:
    """The first disagreement in topological order; fields before ``aligned`` at one node."""
    flag = _aligned_mismatch(graph, answers)
    if flag is not None:  # only nodes up to that one can hold an earlier disagreement
        last = graph.order.index(flag.layer)
        answers = {k: v for k, v in answers.items() if graph.order.index(k) <= last}
    values = {k: v.values for k, v in answers.items() if v.values}
    miss = find_mismatch(values, graph) if values else None
    return miss if miss is not None else flag


def _check_line(text: str, where: str) -> tuple[Chain | Graph, Mismatch | None]:
    record, network = _read_case(text, where)
    graph = isinstance(network, Graph)
    output = None
    if "axes" in record:
        output = _per_axis_result(record["axes"], f"{where}: axes", network.ndim, graph=graph)
    try:
        if graph:
            stages = _graph_stages(record, network, where)
            miss = None if stages is None else _graph_mismatch(network, stages)
        else:
            stages = _chain_stages(record, network, where)
            miss = None if stages is None else find_mismatch(stages, network)
        if miss is not None or output is None:
            return network, miss
        if graph and stages is not None and stages.get(network.outputs[0]) == output:
            return network, None  # the output's answer was compared as a node already
        miss = find_mismatch(output.values, network) if output.values else None
        if miss is None and output.aligned is not None:
            miss = _aligned_mismatch(network, {network.outputs[0]: output})
            miss = None if miss is None else miss._replace(located=False)
    except RfsymError as exc:
        raise SpecError(f"{where}: {exc}") from exc
    if miss is not None and stages is not None:  # every stage agreed: the output is the first
        miss = miss._replace(located=True)
    return network, miss


def check_answers(lines: Iterable[str], *, source: str = "<answers>") -> CheckReport:
    """Compare each case's answers with rfsym's exact values.

    Blank lines are skipped.  A float is reported as a disagreement (not exact), even when its
    value is right.

    Raises:
        SpecError: a malformed line (not JSON, no network, an unknown field value), naming the
            file and line number.
    """
    failures = []
    cases = 0
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        cases += 1
        where = f"{source}:{number}"
        network, miss = _check_line(text, where)
        if miss is not None:
            failures.append((number, f"{where}: " + format_mismatch(network, miss)))
    return CheckReport(cases=cases, failures=tuple(failures))
