"""Figures inside a printed derivation (the piece ``rfsym derive --figures`` needs).

:func:`figures_block` gives the figures as a piece of one output format (a LaTeX ``figure``
with the TikZ picture and its caption, an HTML ``<figure>`` with the SVG, Markdown with inline
SVG, plain-text captions), and :func:`with_figures` puts that piece into a whole document the
printers made, before ``\\end{document}`` / ``</body>`` (adding ``\\usepackage{tikz}`` to a
LaTeX preamble).  JSON gets a ``figures`` list of ``{title, description, svg}``.  The printers
stay unaware of figures; the derivation itself is unchanged.

>>> from rfsym.figures import seed_figures
>>> print(figures_block(seed_figures()[:1], "text"))
Figure 1. Index sets of unit 1 of conv2: conv2 unit 1 reads input pixels 1–5 (5 of them): RF 5.
<BLANKLINE>
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from html import escape

from rfsym.errors import RfsymError
from rfsym.figures.scene import Figure, tex_escape

__all__ = ["figures_block", "with_figures"]

FORMATS = ("text", "latex", "mathml", "markdown", "json")


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise RfsymError(f"figures: format {fmt!r} is not allowed; use one of {', '.join(FORMATS)}")


def figures_block(figures: Sequence[Figure], fmt: str) -> str:
    """The figures as a piece of format ``fmt`` (``text``, ``latex``, ``mathml``, ``markdown``)."""
    _check(fmt)
    parts = []
    for i, fig in enumerate(figures, start=1):
        caption = f"{fig.title}: {fig.description}"
        if fmt == "latex":
            parts.append(
                "\\begin{figure}[htbp]\n\\centering\n"
                + fig.tikz(width_cm=min(16, fig.width / 2))
                + f"\\caption{{{tex_escape(caption)}}}\n\\end{{figure}}\n"
            )
        elif fmt == "mathml":
            parts.append(
                f'<figure class="rfsym-figure">\n{fig.svg()}'
                f"<figcaption>Figure {i}. {escape(caption)}</figcaption>\n</figure>\n"
            )
        elif fmt == "markdown":
            parts.append(
                f"<figure>\n\n{fig.svg()}\n<figcaption>Figure {i}. {escape(caption)}"
                "</figcaption>\n</figure>\n"
            )
        elif fmt == "text":
            parts.append(f"Figure {i}. {caption}\n")
        else:
            parts.append(json.dumps(_json(fig), sort_keys=True, indent=2) + "\n")
    return "\n".join(parts)


def _json(fig: Figure) -> dict:
    return {"description": fig.description, "svg": fig.svg(), "title": fig.title}


def with_figures(document: str, figures: Sequence[Figure], fmt: str) -> str:
    """A whole printed document with the figures appended where its format allows.

    Raises:
        RfsymError: a document that does not have the shape its format's printer gives.
    """
    _check(fmt)
    if fmt == "json":
        data = json.loads(document)
        data["figures"] = [_json(fig) for fig in figures]
        return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    block = figures_block(figures, fmt)
    if fmt == "latex":
        if "\\end{document}" not in document or "\\documentclass" not in document:
            raise RfsymError("figures: the LaTeX document has no \\documentclass/\\end{document}")
        head, _, rest = document.partition("\n")
        body, _, tail = rest.rpartition("\\end{document}")
        return f"{head}\n\\usepackage{{tikz}}\n{body}{block}\\end{{document}}{tail}"
    if fmt == "mathml":
        if "</body>" not in document:
            raise RfsymError("figures: the HTML document has no </body>")
        body, _, tail = document.rpartition("</body>")
        return f"{body}<h2>Figures</h2>\n{block}</body>{tail}"
    heading = "## Figures\n\n" if fmt == "markdown" else "Figures\n\n"
    return f"{document.rstrip()}\n\n{heading}{block}"
