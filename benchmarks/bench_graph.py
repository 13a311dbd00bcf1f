"""Graph speed figures (issue 4): the linear pass over the topological order.

Run: ``python benchmarks/bench_graph.py``.  Prints one line per measurement; nothing is
asserted (speed targets are reviewed by people, not by tests).

* TF-slim resnet_v1_152 as a full graph (zoo spec, 214 nodes, 2 axes): target < 50 ms;
* a random DAG of 10**5 nodes (convs of random kernel/padding/dilation, occasional stride 2 and
  transposed convs, add/concat merges with recent nodes): target < 2 s;
* cost against the number of nodes (linear) and against brute-force enumeration of paths on
  chains of residual blocks (2**blocks paths).
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections.abc import Callable
from functools import partial

from rfsym import zoo
from rfsym.algebra.graph import analyse
from rfsym.model.graph import Graph, InputNode, LayerNode, MergeNode
from rfsym.model.layers import Conv, ConvTranspose


def timed_runs(action: Callable[[], object], repeat: int = 1) -> tuple[list[float], object]:
    """Seconds of each of ``repeat`` runs, and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - start)
    return times, result


def timed(action: Callable[[], object], repeat: int = 1) -> tuple[float, object]:
    """Best of ``repeat`` runs (the machine may be shared: the minimum is the least disturbed)."""
    times, result = timed_runs(action, repeat)
    return min(times), result


def best_and_spread(times: list[float]) -> str:
    """``"1.234 s (..1.456)"``: the best run and the slowest, so noise is visible."""
    return f"{min(times):.3f} s (..{max(times):.3f})"


def random_dag(n: int, seed: int = 0, *, transposed: bool = True) -> Graph:
    """Random DAG: convs (k 1/3/5, dilation 1/2, same padding), 25% add/concat merges of two
    recent nodes of equal jump, 0.5% stride-2 convs and (if ``transposed``) 0.5% 4x4/s2
    transposed convs, which make the RF phase-dependent (tables of up to 2**depth phases)."""
    nodes = random_nodes(n, seed, transposed=transposed)
    return Graph(nodes=nodes, outputs=(nodes[-1].name,))


def random_nodes(n: int, seed: int = 0, *, transposed: bool = True) -> tuple:
    """The nodes of :func:`random_dag` (building them is not part of the Graph's cost)."""
    rng = random.Random(seed)
    kinds = [Conv(kernel_size=k, padding=k // 2, dilation=d) for k in (1, 3, 5) for d in (1, 2)]
    down = Conv(kernel_size=3, stride=2, padding=1)
    up = ConvTranspose(kernel_size=4, stride=2, padding=1)
    nodes: list = [InputNode(name="n0")]
    level = {"n0": 0}  # log2 of the jump: merges join nodes of one level
    by_level: dict[int, list[str]] = {0: ["n0"]}
    for i in range(1, n):
        name = f"n{i}"
        src_level = rng.choice(list(by_level))
        recent = by_level[src_level][-20:]
        roll = rng.random()
        if roll < 0.25 and len(recent) >= 2:
            a, b = rng.sample(recent, 2)
            nodes.append(MergeNode(name=name, inputs=(a, b), mode=rng.choice(("add", "concat"))))
            lvl = src_level
        else:
            source = rng.choice(recent)
            if roll > 0.995 and src_level < 5:
                layer, lvl = down, src_level + 1
            elif roll > 0.99 and src_level > 0 and transposed:
                layer, lvl = up, src_level - 1
            else:
                layer, lvl = rng.choice(kinds), src_level
            nodes.append(LayerNode(name=name, layer=layer, input=source))
        level[name] = lvl
        by_level.setdefault(lvl, []).append(name)
    return tuple(nodes)


def residual_chain(blocks: int) -> Graph:
    nodes: list = [InputNode(name="x")]
    last = "x"
    for b in range(blocks):
        nodes.append(LayerNode(name=f"c{b}", layer=Conv(kernel_size=3, padding=1), input=last))
        nodes.append(MergeNode(name=f"m{b}", inputs=(last, f"c{b}")))
        last = f"m{b}"
    return Graph(nodes=tuple(nodes), outputs=(last,))


def enumerate_paths(graph: Graph) -> tuple[int, int, int]:
    """Brute force: fold (r, S, P) along every input-to-output path; return count, min, max r."""
    plain = {name: (inputs, imap) for name, inputs, imap in graph.plain(0)}
    out = graph.outputs[0]
    count, smallest, largest = 0, None, None
    stack = [(out, 1, 0)]  # walk backwards: (node, r seen from output, ...) via suffix folding
    while stack:
        name, r, jump_to_out = stack.pop()
        inputs, imap = plain[name]
        if not inputs:
            count += 1
            smallest = r if smallest is None else min(smallest, r)
            largest = r if largest is None else max(largest, r)
            continue
        if imap is None:
            stack.extend((s, r, jump_to_out) for s in inputs)
        else:
            _, k, s, _pad, d = imap
            stack.append((inputs[0], s * (r - 1) + d * (k - 1) + 1, jump_to_out))
    return count, smallest, largest


def main() -> int:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs; times are the best of several runs)")
    graph = zoo.load("resnet_v1_152")
    runs, result = timed_runs(lambda: analyse(graph), repeat=11)
    rf = result.at(graph.outputs[0])
    print(
        f"resnet_v1_152 full graph ({len(graph)} nodes, 2 axes): {min(runs) * 1e3:.1f} ms "
        f"(..{max(runs) * 1e3:.1f}) [target < 50 ms]; RF {rf.rf_min}, jump {rf.jump}, "
        f"padding {rf.padding}"
    )
    loads, _ = timed_runs(lambda: zoo.load("resnet_v1_152"), repeat=5)
    builds, _ = timed_runs(lambda: Graph(nodes=graph.nodes, name=graph.name), repeat=11)
    print(
        f"  (parsing and validating its spec: {min(loads) * 1e3:.1f} ms (..{max(loads) * 1e3:.1f}),"
        f" of which Graph(): {min(builds) * 1e3:.2f} ms (..{max(builds) * 1e3:.2f}))"
    )

    for transposed in (False, True):
        label = "with transposed convs" if transposed else "sliding windows only"
        print(f"random DAGs, {label} (best of several runs, slowest in brackets):")
        for n in (10**3, 10**4, 10**5):
            nodes = random_nodes(n, transposed=transposed)
            outputs = (nodes[-1].name,)
            builds, dag = timed_runs(partial(Graph, nodes=nodes, outputs=outputs), repeat=3)
            runs, result = timed_runs(lambda dag=dag: analyse(dag), repeat=3)
            rf = result.at(dag.outputs[0])
            edges = sum(len(node.inputs) for node in dag.nodes)
            target = " [target < 2 s]" if n == 10**5 else ""
            print(
                f"  {n:>6} nodes, {edges:>6} edges: analyse {best_and_spread(runs)} "
                f"({min(runs) / n * 1e6:.1f} us/node){target}; Graph() {best_and_spread(builds)}; "
                f"{len(result.misalignments)} misaligned merges; output RF "
                f"{rf.rf_min}..{rf.rf_max}, period {rf.period}"
            )

    print("linear pass vs brute-force path enumeration (chains of residual blocks):")
    for blocks in (4, 8, 12, 16, 18):
        g = residual_chain(blocks)
        fast, result = timed(lambda g=g: analyse(g), repeat=5)
        slow, (paths, small, large) = timed(lambda g=g: enumerate_paths(g))
        rf = result.at(g.outputs[0])
        assert (rf.path_rf_min, rf.path_rf_max) == (small, large)
        print(
            f"  {blocks:>2} blocks, {paths:>6} paths: linear {fast * 1e3:7.2f} ms, "
            f"enumeration {slow * 1e3:9.2f} ms, ratio {slow / fast:8.1f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
