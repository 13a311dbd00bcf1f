"""The blog note's lost pictures, and the figures a derivation carries.

The note explains the recurrence with its worked example (pixels numbered from 1): conv1,
kernel 3 stride 2, gives units that see [1 2 3] and [3 4 5]; conv2, kernel 2 stride 1, on top
sees [1 2 3 4 5] -- five pixels, not 3*2 = 6, because neighbouring conv1 units overlap by the
offset 2; neighbouring conv2 units see [1..5] and [3..7], still 2 apart; after one more
stride-2 layer the offset has grown to 4.

>>> first, neighbours, deeper, boxes = seed_figures()
>>> dict(first.facts)["input_sets"]
((0, (0, 1, 2, 3, 4)),)
>>> print(deeper.description.split(". ")[-1])
Units 1 and 2 start 4 apart.
"""

from __future__ import annotations

from rfsym.examples import seed_example
from rfsym.figures.boxes import rf_box_diagram
from rfsym.figures.rows import index_set_diagram
from rfsym.figures.scene import Figure
from rfsym.model.chain import Chain
from rfsym.model.graph import Graph
from rfsym.model.layers import Conv

__all__ = ["deeper_seed_example", "derivation_figures", "seed_figures"]


def deeper_seed_example() -> Chain:
    """The worked example with a further stride-2 layer (kernel 2) and a kernel-2 layer on top.

    The offset between neighbouring units of the last layer is then 2 * 2 = 4.
    """
    seed = seed_example()
    return Chain(
        layers=(
            *seed.layers,
            Conv(kernel_size=2, stride=2, name="conv3"),
            Conv(kernel_size=2, name="conv4"),
        ),
        name="seed, two layers deeper",
    )


def seed_figures() -> tuple[Figure, Figure, Figure, Figure]:
    """The note's pictures: one conv2 unit sees pixels 1..5; two neighbours, 2 apart; the
    offset 4 two layers deeper; and the 2-D boxes of the example used on both axes."""
    seed = seed_example()
    return (
        index_set_diagram(seed, units=(0,), number_from=1),
        index_set_diagram(seed, units=(0, 1), number_from=1),
        index_set_diagram(deeper_seed_example(), units=(0, 1), number_from=1),
        rf_box_diagram(seed, number_from=1),
    )


def derivation_figures(network: Chain | Graph, *, axis: int = 0) -> tuple[Figure, ...]:
    """The figures ``rfsym derive --figures`` puts under a network's derivation.

    The index-set diagram of the output's first two units along ``axis`` (one when the
    output has a single unit) and the box diagram of units (0, 0) and (1, 1).
    """
    graph = Graph.from_chain(network) if isinstance(network, Chain) else network
    out = graph.outputs[0] if len(graph.outputs) == 1 else None
    size = graph.sizes[out][axis] if graph.sizes is not None and out is not None else None
    units = (0,) if size == 1 else (0, 1)
    return (
        index_set_diagram(graph, units=units, axis=axis),
        rf_box_diagram(graph),
    )
