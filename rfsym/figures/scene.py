"""A figure as a list of shapes, written out as SVG or as TikZ.

The diagrams are built once as a :class:`Figure` of three shapes (:class:`Rect`,
:class:`Line`, :class:`Text`) in one coordinate system (x to the right, y down, one unit = one
input pixel before scaling), and each output format is a short writer over those shapes: SVG
through the standard library's :mod:`xml.etree.ElementTree` (escaping and well-formedness by
construction), TikZ as ``\\draw``/``\\node`` commands for pdflatex.  Coordinates are exact
fractions, printed with at most three decimals, so the same figure gives the same bytes.

>>> fig = Figure(title="t", description="d", width=2, height=1,
...              shapes=(Rect(x=0, y=0, w=1, h=1, fill="#ffffff"),))
>>> fig.svg().splitlines()[0]
'<svg xmlns="http://www.w3.org/2000/svg" width="48" height="24" viewBox="0 0 48 24" role="img">'
>>> print(fig.tikz().splitlines()[-2])
  \\filldraw[fill=rfsymFFFFFF, draw=rfsym000000, line width=0.4pt] (0,0) rectangle (1,-1);
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from rfsym.errors import RfsymError

__all__ = ["Figure", "Line", "Rect", "Text", "number"]

Number = int | Fraction
PX = 24  # SVG pixels per figure unit
CM = Fraction(1, 2)  # TikZ centimetres per figure unit (before fitting a width)
_SIZES = {"small": 10, "normal": 12}  # SVG font sizes in px
_TEX_SIZES = {"small": r"\scriptsize", "normal": r"\footnotesize"}


def number(value: Number) -> str:
    """An exact coordinate as text: an integer, or at most three decimals (no float repr)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    thousandths = round(value * 1000)
    sign = "-" if thousandths < 0 else ""
    whole, rest = divmod(abs(thousandths), 1000)
    return f"{sign}{whole}.{rest:03d}".rstrip("0").rstrip(".")


@dataclass(frozen=True, slots=True, kw_only=True)
class Rect:
    """A rectangle; ``data`` become ``data-*`` attributes in SVG (what the cell stands for)."""

    x: Number
    y: Number
    w: Number
    h: Number
    fill: str = "none"
    stroke: str = "#000000"
    stroke_width: Number = 1
    dashed: bool = False
    opacity: Number = 1
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """A straight line, optionally with arrow heads at both ends (a dimension line)."""

    x1: Number
    y1: Number
    x2: Number
    y2: Number
    stroke: str = "#000000"
    stroke_width: Number = 1
    arrows: bool = False
    dashed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Text:
    """A label anchored at ``(x, y)``: ``anchor`` is ``start``, ``middle`` or ``end``."""

    x: Number
    y: Number
    text: str
    anchor: str = "start"
    size: str = "normal"
    bold: bool = False
    data: tuple[tuple[str, str], ...] = ()


Shape = Rect | Line | Text


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """A drawn figure: shapes plus a title and a description (alt text, caption) of its facts.

    Attributes:
        title: what the figure shows, one line.
        description: the numbers shown, read from the brute-force index sets.
        width, height: the extent in figure units.
        shapes: what is drawn, in drawing order.
        facts: the measured numbers as plain data (for tests and other writers).
    """

    title: str
    description: str
    width: Number
    height: Number
    shapes: tuple[Shape, ...]
    facts: tuple[tuple[str, object], ...] = ()

    def __repr__(self) -> str:
        return f"<Figure {self.title!r}: {len(self.shapes)} shapes, {self.width}x{self.height}>"

    def _repr_svg_(self) -> str:
        """Jupyter shows the SVG."""
        return self.svg()

    def svg(self) -> str:
        """The figure as a standalone SVG element (also valid inside HTML and Markdown)."""
        root = ET.Element(
            "svg",
            {
                "xmlns": "http://www.w3.org/2000/svg",
                "width": number(self.width * PX),
                "height": number(self.height * PX),
                "viewBox": f"0 0 {number(self.width * PX)} {number(self.height * PX)}",
                "role": "img",
            },
        )
        ET.SubElement(root, "title").text = self.title
        ET.SubElement(root, "desc").text = self.description
        ET.SubElement(root, "rect", _attrs(width="100%", height="100%", fill="#ffffff"))
        for shape in self.shapes:
            root.append(_svg_shape(shape))
        ET.indent(root, space="  ")
        return ET.tostring(root, encoding="unicode") + "\n"

    def tikz(self, *, standalone: bool = False, width_cm: Number | None = None) -> str:
        """The figure as a ``tikzpicture`` (or a whole pdflatex document with ``standalone``).

        ``width_cm`` scales the picture to that width (labels keep their font size); the
        default is half a centimetre per input pixel.
        """
        scale = CM if width_cm is None else Fraction(width_cm) / Fraction(self.width)
        colours = sorted({c for s in self.shapes for c in _colours(s)})
        lines = [
            rf"\begin{{tikzpicture}}[x={number(scale)}cm, y={number(scale)}cm]",
            *(rf"  \definecolor{{{_tex_colour(c)}}}{{HTML}}{{{c[1:].upper()}}}" for c in colours),
        ]
        lines += ["  " + _tikz_shape(s) for s in self.shapes]
        lines.append(r"\end{tikzpicture}")
        picture = "\n".join(lines) + "\n"
        if not standalone:
            return picture
        return (
            "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{tikz}\n"
            "\\usepackage[margin=1cm,paperwidth="
            f"{number(Fraction(self.width) * scale + 2)}cm,paperheight="
            f"{number(Fraction(self.height) * scale + 2)}cm]{{geometry}}\n"
            "\\pagestyle{empty}\n\\begin{document}\n\\noindent\n"
            f"{picture}\\end{{document}}\n"
        )

    def save(self, path: str | Path, format: str | None = None) -> Path:
        """Write ``.svg`` or ``.tex`` (TikZ, a whole document) to ``path``; return it."""
        path = Path(path)
        format = format or {".svg": "svg", ".tex": "tikz", ".tikz": "tikz"}.get(path.suffix)
        if format not in ("svg", "tikz"):
            raise RfsymError(f"figure: cannot tell the format of {path}; use .svg or .tex")
        text = self.svg() if format == "svg" else self.tikz(standalone=path.suffix == ".tex")
        try:
            path.write_text(text, encoding="utf-8", newline="\n")
        except OSError as exc:
            raise RfsymError(f"cannot write {path}: {exc.strerror or exc}") from exc
        return path


def _attrs(**values: object) -> dict[str, str]:
    return {k.replace("_", "-"): str(v) for k, v in values.items()}


def _data(pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {f"data-{k}": v for k, v in pairs}


def _svg_shape(shape: Shape) -> ET.Element:
    if isinstance(shape, Rect):
        attrs = _attrs(
            x=number(shape.x * PX),
            y=number(shape.y * PX),
            width=number(shape.w * PX),
            height=number(shape.h * PX),
            fill=shape.fill,
            stroke=shape.stroke,
            stroke_width=number(shape.stroke_width),
        )
        if shape.opacity != 1:
            attrs["fill-opacity"] = number(shape.opacity)
        if shape.dashed:
            attrs["stroke-dasharray"] = "4 3"
        attrs.update(_data(shape.data))
        return ET.Element("rect", attrs)
    if isinstance(shape, Line):
        attrs = _attrs(
            x1=number(shape.x1 * PX),
            y1=number(shape.y1 * PX),
            x2=number(shape.x2 * PX),
            y2=number(shape.y2 * PX),
            stroke=shape.stroke,
            stroke_width=number(shape.stroke_width),
        )
        if shape.dashed:
            attrs["stroke-dasharray"] = "4 3"
        element = ET.Element("line", attrs)
        if shape.arrows:  # a dimension line: short bars at both ends, no marker definitions
            group = ET.Element("g", {"class": "dimension"})
            group.append(element)
            for x, y in ((shape.x1, shape.y1), (shape.x2, shape.y2)):
                group.append(
                    ET.Element(
                        "line",
                        _attrs(
                            x1=number(x * PX),
                            y1=number((y - Fraction(1, 5)) * PX),
                            x2=number(x * PX),
                            y2=number((y + Fraction(1, 5)) * PX),
                            stroke=shape.stroke,
                            stroke_width=number(shape.stroke_width),
                        ),
                    )
                )
            return group
        return element
    attrs = _attrs(
        x=number(shape.x * PX),
        y=number(shape.y * PX),
        font_family="DejaVu Sans, Arial, sans-serif",
        font_size=_SIZES[shape.size],
        text_anchor=shape.anchor,
        dominant_baseline="middle",
    )
    if shape.bold:
        attrs["font-weight"] = "bold"
    attrs.update(_data(shape.data))
    element = ET.Element("text", attrs)
    element.text = shape.text
    return element


def _colours(shape: Shape) -> tuple[str, ...]:
    if isinstance(shape, Rect):
        return tuple(c for c in (shape.fill, shape.stroke) if c != "none")
    if isinstance(shape, Line):
        return (shape.stroke,)
    return ()


def _tex_colour(colour: str) -> str:
    return "rfsym" + colour[1:].upper()


_TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "%": r"\%",
    "~": r"\textasciitilde{}",
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "×": r"$\times$",
    "…": r"\dots{}",
    "–": "--",
}


def tex_escape(text: str) -> str:
    """Plain label text for LaTeX: every character TeX treats specially is escaped.

    >>> tex_escape("layer1.0_conv #2 {a} 3×3")
    'layer1.0\\\\_conv \\\\#2 \\\\{a\\\\} 3$\\\\times$3'
    """
    return "".join(_TEX_SPECIAL.get(c, c) for c in text)


def _y(value: Number) -> str:
    return number(-Fraction(value))


def _tikz_shape(shape: Shape) -> str:
    if isinstance(shape, Rect):
        options = [
            f"fill={_tex_colour(shape.fill)}" if shape.fill != "none" else "",
            f"draw={_tex_colour(shape.stroke)}" if shape.stroke != "none" else "draw=none",
            f"line width={number(Fraction(shape.stroke_width) * Fraction(2, 5))}pt",
            f"fill opacity={number(shape.opacity)}" if shape.opacity != 1 else "",
            "dashed" if shape.dashed else "",
        ]
        verb = r"\filldraw" if shape.fill != "none" else r"\draw"
        opts = ", ".join(o for o in options if o)
        return (
            f"{verb}[{opts}] ({number(shape.x)},{_y(shape.y)}) rectangle "
            f"({number(Fraction(shape.x) + Fraction(shape.w))},"
            f"{_y(Fraction(shape.y) + Fraction(shape.h))});"
        )
    if isinstance(shape, Line):
        options = [
            f"draw={_tex_colour(shape.stroke)}",
            f"line width={number(Fraction(shape.stroke_width) * Fraction(2, 5))}pt",
        ]
        if shape.arrows:
            options.append("|-|")
        if shape.dashed:
            options.append("dashed")
        return (
            f"\\draw[{', '.join(options)}] ({number(shape.x1)},{_y(shape.y1)}) -- "
            f"({number(shape.x2)},{_y(shape.y2)});"
        )
    anchor = {"start": "west", "middle": "center", "end": "east"}[shape.anchor]
    font = _TEX_SIZES[shape.size] + (r"\bfseries" if shape.bold else "")
    return (
        f"\\node[anchor={anchor}, inner sep=1pt, font={font}] at "
        f"({number(shape.x)},{_y(shape.y)}) {{{tex_escape(shape.text)}}};"
    )
