"""Printers for checked derivations: LaTeX, MathML (HTML), Markdown, plain text and JSON.

Every printer accepts only a :class:`~rfsym.proof.steps.CheckedDerivation` (``check()`` it
first) and is byte-for-byte deterministic.  Importing this package also registers Jupyter
display (``_repr_latex_``/``_repr_html_`` of a checked derivation); the core never imports a
printer.

>>> from rfsym.proof.theorems import theorem
>>> print(to_text(theorem("jump")).splitlines()[0])
Jump: S_n is the product of the strides
"""

from rfsym.printers.json import to_json
from rfsym.printers.latex import to_latex
from rfsym.printers.markdown import to_markdown
from rfsym.printers.mathml import MathMLError, to_mathml
from rfsym.printers.text import to_text
from rfsym.proof.steps import DISPLAY_HOOKS

__all__ = [
    "FORMATS",
    "MathMLError",
    "render",
    "to_json",
    "to_latex",
    "to_markdown",
    "to_mathml",
    "to_text",
]

FORMATS = {
    "text": (to_text, "txt"),
    "latex": (to_latex, "tex"),
    "mathml": (to_mathml, "html"),
    "markdown": (to_markdown, "md"),
    "json": (to_json, "json"),
}
"""Format name -> (printer, file extension)."""


def render(checked, fmt: str) -> str:
    """Print ``checked`` in format ``fmt`` (one of :data:`FORMATS`)."""
    return FORMATS[fmt][0](checked)


DISPLAY_HOOKS["latex"] = lambda checked: to_latex(checked, standalone=False)
DISPLAY_HOOKS["html"] = lambda checked: to_mathml(checked, standalone=False)
