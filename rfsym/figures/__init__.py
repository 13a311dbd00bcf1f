"""Figures drawn from the brute-force index sets: which input pixels each unit sees.

The blog note the recurrence comes from explained it with pictures (lost since): a unit of
conv1 (kernel 3, stride 2) sees pixels [1 2 3], its neighbour [3 4 5], and a unit of conv2
(kernel 2) on top of both sees [1 2 3 4 5], five pixels and not six.  This package draws those
pictures for any numeric chain or graph, from the literal index sets (never a closed form):

* :func:`index_set_diagram` -- the layers as rows of units, the chosen units' input sets
  highlighted, overlaps counted, RF size and jump per row;
* :func:`rf_box_diagram` -- the receptive-field boxes of chosen units on the 2-D input grid,
  each box labelled with its own size (sizes that depend on the unit are visible as such);
* :func:`seed_figures` -- the blog note's pictures; :func:`derivation_figures` -- the figures
  ``rfsym derive --figures`` puts in a derivation.

Each returns a :class:`Figure` with ``.svg()``, ``.tikz()`` and ``_repr_svg_`` (Jupyter).
An edge package: it depends on the core, the core never imports it.

>>> from rfsym.examples import seed_example
>>> fig = index_set_diagram(seed_example(), units=(0, 1), number_from=1)
>>> print(fig.description)
conv2 unit 1 reads input pixels 1–5 (5 of them): RF 5. conv2 unit 2 reads input pixels 3–7 (5 of them): RF 5. Units 1 and 2 start 2 apart.
"""

from rfsym.figures.boxes import rf_box_diagram
from rfsym.figures.embed import figures_block, with_figures
from rfsym.figures.rows import index_set_diagram
from rfsym.figures.scene import Figure
from rfsym.figures.seed import derivation_figures, seed_figures

__all__ = [
    "Figure",
    "derivation_figures",
    "figures_block",
    "index_set_diagram",
    "rf_box_diagram",
    "seed_figures",
    "with_figures",
]
