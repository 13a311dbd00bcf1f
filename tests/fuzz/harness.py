"""The fuzz suite's machinery: seed specs, JSON mutations, and one run of a CLI command with its
outcome classified and its cost measured.

An outcome is fine when the command succeeded (exit 0, or 1 for ``rfsym check``'s
"disagreement") or refused with exactly one ``rfsym: error:`` line naming the input file (exit
2).  Anything else is an *internal error*: an exception other than RfsymError escaping
``rfsym.cli.main``, a refusal that does not name the file, or more than the cost bound of CPU
or memory.  Costs are measured with ``time.process_time`` and the peak RSS, not wall clock.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import resource
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from rfsym.cli import main
from rfsym.model.spec import to_spec
from rfsym.testing.random_networks import random_chain, random_graph

ROOT = Path(__file__).resolve().parents[2]

# The goal is 2 s CPU and 512 MB per command on a spec under 1 MB.  The machine running
# the tests is shared and a process's first SymPy calls warm caches, so the suite asserts a
# generous multiple; the counts script reports the measured maxima.
CPU_BOUND = 10.0
MEMORY_BOUND_MB = 512


def seed_specs() -> dict[str, dict]:
    """Every zoo spec, every spec in derivations/specs, and a few random chains and graphs."""
    specs = {}
    for path in sorted((ROOT / "rfsym" / "zoo").glob("*.json")):
        specs[f"zoo/{path.stem}"] = json.loads(path.read_text(encoding="utf-8"))
    for path in sorted((ROOT / "derivations" / "specs").glob("*.json")):
        specs[f"derivations/{path.stem}"] = json.loads(path.read_text(encoding="utf-8"))
    for seed in range(4):
        specs[f"random-chain-{seed}"] = to_spec(random_chain(random.Random(seed), max_layers=6))
        specs[f"random-graph-{seed}"] = to_spec(random_graph(random.Random(seed), max_layers=6))
    return specs


SEEDS = seed_specs()

BOMBS = (
    "(a+b+c+d+e+f+g+h)^64",
    "(a+b+c+d)^4*(e+f+g+h)^4",
    "9**9**9",
    "10^400",
    "1" + "0" * 1300,
    "(" * 200 + "k" + ")" * 200,
    "k" + "*k" * 80,
    "2*k + 1",
    "k - 5",
    "-3",
    "k/2",
    "floor(k)",
    "k.__class__",
    "",
)
NUMBERS = (0, -1, 1, 2, 3, 10**6, 10**9, 10**400, 2**63, -(10**9))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(NUMBERS),
    st.integers(-5, 40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(BOMBS),
    st.text(max_size=8),
    st.sampled_from(["conv", "pool", "input", "add", "concat", "SAME", "VALID", "max", "graph"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def _containers(value, path=()):
    """Every (path, container) in a JSON value."""
    if isinstance(value, dict | list):
        yield path, value
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            yield from _containers(item, (*path, key))


def _leaves(value):
    """Every (container, key) holding a number or a string (parameters, names, types)."""
    for _path, box in _containers(value):
        items = box.items() if isinstance(box, dict) else enumerate(box)
        for key, item in items:
            if isinstance(item, int | str) and not isinstance(item, bool):
                yield box, key


PLAUSIBLE = st.one_of(
    st.integers(-2, 9),
    st.sampled_from(NUMBERS),
    st.sampled_from(BOMBS),
    st.sampled_from(["k", "s", "2*k + 1", "k + s", "p", "(k + 1)^2", "a_1 + 1"]),
)


@st.composite
def mutations(draw, spec: dict) -> dict:
    """``spec`` with one to three random edits.  Most are plausible (a number or a string leaf
    replaced by a small, zero, negative, huge or symbolic value, or an expression bomb), so the
    commands get past the reader; the rest are wild (a field replaced by any JSON value,
    deleted or added, a list entry duplicated or dropped, a node's input pointed at another
    node: a cycle)."""
    spec = json.loads(json.dumps(spec))
    for _ in range(draw(st.integers(1, 3))):
        leaves = list(_leaves(spec))
        if leaves and draw(st.integers(0, 9)) < 7:
            box, key = draw(st.sampled_from(leaves))
            if not (isinstance(key, str) and key in ("type", "name", "schema_version")):
                box[key] = draw(PLAUSIBLE)
            continue
        places = list(_containers(spec))
        _path, box = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "delete", "add", "duplicate", "cycle"]))
        if isinstance(box, dict):
            keys = list(box)
            if action == "add" or not keys:
                name = draw(st.sampled_from(["stride", "kernel_size", "padding", "extra", "type"]))
                box[name] = draw(json_values)
            elif action == "delete":
                del box[draw(st.sampled_from(keys))]
            elif action == "cycle" and "nodes" in spec and isinstance(spec["nodes"], list):
                names = [n.get("name") for n in spec["nodes"] if isinstance(n, dict)]
                if names and "input" in box:
                    box["input"] = draw(st.sampled_from(names))
            else:
                box[draw(st.sampled_from(keys))] = draw(json_values)
        elif box:
            index = draw(st.integers(0, len(box) - 1))
            if action == "delete":
                del box[index]
            elif action == "duplicate":
                box.insert(index, json.loads(json.dumps(box[index])))
            else:
                box[index] = draw(json_values)
        else:
            box.append(draw(json_values))
    return spec


@dataclass
class Outcome:
    command: str
    status: int | None
    internal: str | None  # why this run is an internal error, or None
    cpu: float
    memory_mb: float


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class CostExceeded(BaseException):
    """Raised by the CPU timer inside a run past the bound (a BaseException, so that no
    ``except Exception`` in the code under test can swallow it)."""


def _on_timer(_signum, _frame):
    raise CostExceeded


def _address_space() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


@contextlib.contextmanager
def bounded(cpu_seconds: float, memory_mb: int):
    """Stop a run after ``cpu_seconds`` of CPU (ITIMER_PROF) and refuse allocations past
    ``memory_mb`` more address space (RLIMIT_AS), so one hostile spec cannot take the machine;
    both limits are lifted afterwards."""
    old_handler = signal.signal(signal.SIGPROF, _on_timer)
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + memory_mb * 2**20 if sys.platform == "linux" else None
    if limit is not None and (hard == resource.RLIM_INFINITY or limit < hard):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old_handler)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def run_cli(argv: list[str], *, input_names: list[str], stdin: str | None = None) -> Outcome:
    """Run ``rfsym ARGV`` in this process; classify the result (see the module docstring)."""
    command = " ".join(a for a in argv[:2] if not a.startswith("-") and "/" not in a)
    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin.encode()))
    peak_before = _peak_mb()
    start = time.process_time()
    status, internal, usage = None, None, False
    try:
        with (
            bounded(CPU_BOUND, 4 * MEMORY_BOUND_MB),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            status = main(argv)
    except CostExceeded:
        internal = f"over the cost bound: stopped after {CPU_BOUND:.0f} s CPU"
    except MemoryError:
        internal = f"over the cost bound: MemoryError (more than {4 * MEMORY_BOUND_MB} MB)"
    except SystemExit as exc:  # argparse: usage, then "rfsym CMD: error: ...", exit 2
        status, usage = (exc.code if isinstance(exc.code, int) else 2), True
    except Exception as exc:
        internal = f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    finally:
        sys.stdin = old_stdin
    cpu = time.process_time() - start
    memory = _peak_mb() - peak_before
    if internal is None and usage and status == 2:
        if ": error: " not in err.getvalue():
            internal = f"usage error without a message: {err.getvalue()[:200]!r}"
    elif internal is None and status == 2:
        lines = [line for line in err.getvalue().splitlines() if line.startswith("rfsym: error:")]
        if len(lines) != 1:
            internal = f"not one error line: {err.getvalue()[:200]!r}"
        elif input_names and not any(name in lines[0] for name in input_names):
            internal = f"error does not name the file: {lines[0][:200]}"
    if internal is None and status not in (0, 1, 2):
        internal = f"exit status {status}"
    if internal is None and cpu > CPU_BOUND:
        internal = f"over the cost bound: {cpu:.1f} s CPU"
    if internal is None and memory > MEMORY_BOUND_MB:
        internal = f"over the cost bound: {memory:.0f} MB"
    return Outcome(command, status, internal, cpu, memory)


def commands_for(path: str) -> list[list[str]]:
    """Every command that reads one spec file, with typical arguments."""
    return [
        ["derive", path],
        ["derive", path, "--format", "latex"],
        ["report", path],
        ["report", path, "--json"],
        ["whatif", "sensitivity", path],
        ["whatif", "sweep", path, "--grid", "k=1..3"],
        ["whatif", "solve", path, "--unknown", "k", "--target", "50"],
        ["whatif", "compare", path, path],
        ["whatif", "erf", path],
    ]
