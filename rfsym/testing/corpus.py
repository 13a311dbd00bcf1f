"""A reproducible conformance corpus as JSON Lines, and the checker for other tools' answers.

Each line is one case, a JSON object::

    {"schema_version": 1, "case": 0, "seed": 7,
     "network": {...a network spec, docs/spec-format.md...},
     "axes": [{"rf": 5, "jump": 2, "padding": 0, "start": 0, "end": 4, "centre": 2}],
     "layers": [[{"rf": 3, ...}], [{"rf": 5, ...}]]}

``axes`` has the values of the network's output, one object per spatial axis; ``layers`` the
values after each layer ``1..n`` (one list of per-axis objects per layer).  Numbers are exact:
integers, and rationals as ``"p/q"`` strings (``"-1/2"``).  ``start``, ``end`` and ``centre``
are those of output unit 0 in 0-based input indices; ``padding`` is the effective left padding.

Another tool reads the corpus, replaces the values by its own answers (it may leave fields or
``layers`` out) and :func:`check_answers` compares them with rfsym's.  Cases come from
:class:`random.Random` seeded with the corpus seed, so a seed and a count always give the same
file (and a shorter corpus is a prefix of a longer one).

>>> import random
>>> line = case_line(random_chain(random.Random(0), max_layers=2), index=0, seed=0)
>>> sorted(json.loads(line))
['axes', 'case', 'layers', 'network', 'schema_version', 'seed']
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

from rfsym.errors import RfsymError, SpecError
from rfsym.model.chain import Chain
from rfsym.model.layers import AbstractLayer, Conv, Pointwise, Pool
from rfsym.model.spec import from_spec, to_spec
from rfsym.testing.oracle import (
    FIELDS,
    AxisValues,
    Mismatch,
    expected_layers,
    find_mismatch,
    format_mismatch,
)

__all__ = [
    "CORPUS_VERSION",
    "CheckReport",
    "case_line",
    "check_answers",
    "decode_number",
    "encode_number",
    "generate",
    "random_chain",
]

CORPUS_VERSION = 1
"""The ``schema_version`` of corpus lines this module writes and reads."""

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


def _random_layer(rng: random.Random, ndim: int) -> AbstractLayer:
    kind = rng.choices(("conv", "pool", "pointwise"), weights=(6, 3, 1))[0]
    mode = rng.choice(("max", "avg"))
    if kind == "pointwise":
        return Pointwise(op=rng.choice(("relu", "batchnorm", "identity")))

    def axes(low: int, high: int) -> tuple[int, ...]:
        first = rng.randint(low, high)
        return tuple(first if rng.random() < 0.7 else rng.randint(low, high) for _ in range(ndim))

    kernel = axes(1, 7)
    stride = axes(1, 3)
    dilation = axes(1, 3) if rng.random() < 0.3 and kind == "conv" else (1,) * ndim
    padding: tuple = axes(0, 3)
    if rng.random() < 0.2:
        padding = tuple((p, rng.randint(0, 3)) for p in padding)
    if kind == "pool":
        return Pool(
            kernel_size=kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            mode=mode,
        )
    return Conv(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation)


def random_chain(rng: random.Random, *, max_layers: int = 8, max_ndim: int = 2) -> Chain:
    """A random numeric chain: convolutions, pools and point-wise layers on 1..``max_ndim`` axes.

    Kernels 1..7, strides 1..3, dilation 1..3 (in 30% of layers), padding 0..3 (asymmetric in
    20%); axes usually share values.
    """
    ndim = rng.randint(1, max_ndim)
    count = rng.randint(0, max_layers)
    return Chain(layers=tuple(_random_layer(rng, ndim) for _ in range(count)))


def _encode_values(values: AxisValues) -> dict[str, int | str]:
    return {field: encode_number(getattr(values, field)) for field in FIELDS}


def case_line(network: Chain, *, index: int, seed: int) -> str:
    """One corpus line (JSON, sorted keys, no trailing newline) with the exact values."""
    per_axis = [expected_layers(network, axis=a) for a in range(network.ndim)]
    layers = [
        [_encode_values(values[i]) for values in per_axis] for i in range(1, len(network) + 1)
    ]
    record = {
        "schema_version": CORPUS_VERSION,
        "case": index,
        "seed": seed,
        "network": to_spec(network),
        "axes": [_encode_values(values[-1]) for values in per_axis],
        "layers": layers,
    }
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def generate(seed: int, count: int, *, max_layers: int = 8, max_ndim: int = 2) -> Iterator[str]:
    """``count`` corpus lines drawn with ``random.Random(seed)``."""
    rng = random.Random(seed)
    for index in range(count):
        network = random_chain(rng, max_layers=max_layers, max_ndim=max_ndim)
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


def _per_axis_result(raw: object, where: str, ndim: int) -> dict[str, list]:
    if not isinstance(raw, list) or not all(isinstance(a, Mapping) for a in raw):
        raise SpecError(f"{where}: must be a list with one object per axis, got {_short(raw)}")
    if len(raw) != ndim:
        raise SpecError(f"{where}: has {len(raw)} axis object(s); the network has {ndim} axes")
    result: dict[str, list] = {}
    for field in FIELDS:
        present = [field in axis for axis in raw]
        if any(present) and not all(present):
            raise SpecError(f"{where}: field {field!r} is given for some axes but not all")
        if all(present) and raw:
            result[field] = [
                decode_number(axis[field], where=f"{where}[{a}].{field}")
                for a, axis in enumerate(raw)
            ]
    if not result:
        raise SpecError(f"{where}: no known field; give any of {', '.join(FIELDS)}")
    return result


def _short(value: object) -> str:
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _check_line(text: str, where: str) -> tuple[Chain, Mismatch | None]:
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SpecError(f"{where}: invalid JSON at column {exc.colno}: {exc.msg}") from exc
    if not isinstance(record, dict):
        raise SpecError(f"{where}: a case must be a JSON object, got {_short(record)}")
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
    if not isinstance(network, Chain):
        raise SpecError(f"{where}: network: only chains are checked by this version")
    if "layers" in record:
        raw_layers = record["layers"]
        if not isinstance(raw_layers, list) or len(raw_layers) != len(network):
            raise SpecError(
                f'{where}: "layers" must be a list with one entry per layer '
                f"({len(network)}), got {_short(raw_layers)}"
            )
        answers: object = [
            _per_axis_result(layer, f"{where}: layers[{i}]", network.ndim)
            for i, layer in enumerate(raw_layers)
        ]
    elif "axes" in record:
        answers = _per_axis_result(record["axes"], f"{where}: axes", network.ndim)
    else:
        raise SpecError(f'{where}: give the answers under "axes" (output) or "layers"')
    try:
        miss = find_mismatch(answers, network)
        if miss is None and "layers" in record and "axes" in record:  # the output as well
            miss = find_mismatch(
                _per_axis_result(record["axes"], f"{where}: axes", network.ndim), network
            )
            miss = None if miss is None else miss._replace(located=True)
    except RfsymError as exc:
        raise SpecError(f"{where}: {exc}") from exc
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
