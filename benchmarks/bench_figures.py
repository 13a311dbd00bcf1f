"""Benchmark: the figures of a long network, next to its derivation.

Target (issue 12): the compact form of resnet_v1_152's longest path -- derivation + check + all
formats + figures -- in < 2 s.  This measures the figures' part (index-set diagram and box
diagram, built and written as SVG and TikZ) on that path, side by side in one run with the
step-by-step derivation + check + five formats of the same chain (the compact form is issue 12's
item 2, another helper's; when it lands, time it here instead).  Medians of ``--repeat`` runs;
the machine is shared, so timings are noisy.  Figures only, no assertion:

    python benchmarks/bench_figures.py [--repeat 5] [--network resnet_v1_152]
"""

from __future__ import annotations

import argparse
import statistics
import time

from rfsym import zoo
from rfsym.errors import RfsymError
from rfsym.figures import derivation_figures
from rfsym.model.graph import Graph, LayerNode


def longest_path(graph: Graph) -> Graph:
    """The input-to-output path with the most layer nodes, as a chain graph."""
    best: dict[str, tuple[int, str | None]] = {}
    for name in graph.order:
        node = graph.node(name)
        if not node.inputs:
            best[name] = (0, None)
            continue
        reached = [(best[s][0], s) for s in node.inputs if s in best]
        if not reached:
            continue
        length, source = max(reached)
        best[name] = (length + isinstance(node, LayerNode), source)
    name: str | None = graph.outputs[0]
    layers = []
    while name is not None:
        node = graph.node(name)
        if isinstance(node, LayerNode):
            layers.append(node.layer)
        start = name
        name = best[name][1]
    size = graph.node(start).size
    return Graph.from_layers(layers[::-1], input_size=size, name=f"{graph.name} longest path")


def _median(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--network", default="resnet_v1_152")
    args = parser.parse_args()
    path = longest_path(zoo.load(args.network))
    chain = path.as_chain()

    def figures():
        figs = derivation_figures(path)
        return [len(f.svg()) + len(f.tikz()) for f in figs], figs

    def derivation():
        from rfsym.printers import FORMATS
        from rfsym.proof.check import check
        from rfsym.proof.network import derive_chain

        checked = check(derive_chain(chain))
        return [len(printer(checked)) for printer, _ in FORMATS.values()]

    t_fig, (sizes, figs) = _median(figures, args.repeat)
    try:
        t_der, _ = _median(derivation, max(1, args.repeat // 2))
    except RfsymError as err:  # a chain carries no input size: TF SAME layers cannot be derived
        print(f"{path.name}: {len(chain)} layers; {figs[0].description}")
        print(
            f"  figures (index sets + boxes, SVG + TikZ): median {t_fig:.3f} s, {sum(sizes)} bytes"
        )
        print(f"  derivation not timed: {' '.join(str(err).split())[:160]}")
        return
    print(f"{path.name}: {len(chain)} layers; {figs[0].description}")
    print(f"  figures (index sets + boxes, SVG + TikZ): median {t_fig:.3f} s, {sum(sizes)} bytes")
    print(f"  step-by-step derivation + check + 5 formats: median {t_der:.3f} s")
    print(f"  together {t_fig + t_der:.3f} s (target < 2 s with the compact form)")
    print(f"  figures / derivation = {t_fig / t_der:.2f}")


if __name__ == "__main__":
    main()
