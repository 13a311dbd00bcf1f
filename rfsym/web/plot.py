"""The what-if panel's sweep plot: exact values from :func:`rfsym.whatif.sweep`, drawn as SVG.

The values are the sweep's (exact integers or fractions); only the drawing coordinates are
floats.  Built with ElementTree, so every label is escaped; no ``style`` attributes (the page's
Content-Security-Policy refuses inline styles).

>>> svg = sweep_plot([(1, 3), (2, 5), (3, 7)], unknown="k", quantity="rf", target=5)
>>> svg.startswith("<svg") and "k = 2" in svg
True
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

__all__ = ["sweep_plot"]

_W, _H, _L, _R, _T, _B = 520, 240, 56, 16, 16, 40


def _text(parent: ET.Element, x: float, y: float, label: str, anchor: str = "middle") -> None:
    node = ET.SubElement(
        parent,
        "text",
        x=f"{x:.1f}",
        y=f"{y:.1f}",
        fill="#333",
    )
    node.set("font-family", "sans-serif")
    node.set("font-size", "11")
    node.set("text-anchor", anchor)
    node.text = label


def sweep_plot(
    points: list[tuple[int, int | Fraction]], *, unknown: str, quantity: str, target: int
) -> str:
    """An SVG line plot of ``quantity`` against ``unknown``, with the target as a dashed line
    and the first point meeting it marked."""
    xs = [x for x, _ in points]
    ys = [y for _, y in points] + [target]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = min(ys), max(ys) if max(ys) > min(ys) else min(ys) + 1

    def px(x: float) -> float:
        return _L + (x - x0) / (x1 - x0) * (_W - _L - _R)

    def py(y: float) -> float:
        return _H - _B - (float(y) - float(y0)) / (float(y1) - float(y0)) * (_H - _T - _B)

    svg = ET.Element(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        width=str(_W),
        height=str(_H),
        viewBox=f"0 0 {_W} {_H}",
        role="img",
    )
    ET.SubElement(svg, "title").text = f"{quantity} as a function of {unknown}"
    ET.SubElement(
        svg, "rect", x=str(_L), y=str(_T), width=str(_W - _L - _R), height=str(_H - _T - _B),
        fill="#fff", stroke="#99a",
    )  # fmt: skip
    ET.SubElement(
        svg, "line", x1=str(_L), x2=str(_W - _R), y1=f"{py(target):.1f}", y2=f"{py(target):.1f}",
        stroke="#d89000",
    ).set("stroke-dasharray", "5 4")  # fmt: skip
    _text(svg, _W - _R - 2, py(target) - 4, f"target {target}", "end")
    path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in points)
    ET.SubElement(svg, "polyline", points=path, fill="none", stroke="#1f5fa8")
    hit = next(((x, y) for x, y in points if y >= target), None)
    for x, y in points:
        dot = ET.SubElement(
            svg, "circle", cx=f"{px(x):.1f}", cy=f"{py(y):.1f}", r="2.5", fill="#1f5fa8"
        )
        ET.SubElement(dot, "title").text = f"{unknown} = {x}: {quantity} = {y}"
    if hit is not None:
        ET.SubElement(
            svg, "circle", cx=f"{px(hit[0]):.1f}", cy=f"{py(hit[1]):.1f}", r="5",
            fill="none", stroke="#b00020",
        )  # fmt: skip
        _text(svg, px(hit[0]), py(hit[1]) - 9, f"{unknown} = {hit[0]}")
    for x in (x0, x1):
        _text(svg, px(x), _H - _B + 14, str(x))
    for y in (y0, y1):
        _text(svg, _L - 4, py(y) + 4, str(y), "end")
    _text(svg, (_L + _W - _R) / 2, _H - 8, unknown)
    _text(svg, 12, _T + 8, quantity, "start")
    return ET.tostring(svg, encoding="unicode")
