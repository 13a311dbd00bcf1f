"""Exceptions raised by rfsym.

Every error rfsym raises on purpose derives from :class:`RfsymError` and also from the builtin
exception it behaves like, so callers can catch either.  Errors about a value carry the place
(``layer``, ``field``), the offending ``value`` and what is ``allowed`` as attributes, and the
message says all four in one line.
"""

from __future__ import annotations

__all__ = [
    "ExpressionError",
    "ExpressionLimitError",
    "GraphError",
    "LayerSpecError",
    "LimitError",
    "MathMLError",
    "MissingDependencyError",
    "OutputError",
    "ProofError",
    "RfsymError",
    "SpecError",
    "SpecLimitError",
    "UnsupportedLayerError",
]


class RfsymError(Exception):
    """Root of every error rfsym raises on purpose."""


class LayerSpecError(RfsymError, ValueError):
    """A layer parameter is not allowed.

    >>> err = LayerSpecError(layer="layer 2 'conv2' (Conv)", field="stride", value=0,
    ...                      allowed="a positive integer or a positive symbol")
    >>> str(err)
    "layer 2 'conv2' (Conv): stride = 0 is not allowed; stride must be a positive integer or a positive symbol"
    """

    def __init__(self, *, layer: str, field: str, value: object, allowed: str) -> None:
        self.layer = layer
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{layer}: {field} = {value!s} is not allowed; {field} must be {allowed}")


class GraphError(RfsymError, ValueError):
    """A network's structure is invalid (cycle, dangling input, bad layer index, ...)."""


class ExpressionError(RfsymError, ValueError):
    """User text is not a valid parameter expression.

    The message quotes the text with a caret under the offending column.
    """

    def __init__(self, message: str, *, text: str = "", column: int | None = None) -> None:
        self.text = text
        self.column = column
        if column is not None:
            message = f"{message}\n    {text}\n    {' ' * column}^"
        super().__init__(message)


class SpecError(RfsymError, ValueError):
    """A network spec (file or dict) is malformed."""


class UnsupportedLayerError(RfsymError, NotImplementedError):
    """A layer kind or framework operation rfsym does not model."""


class MissingDependencyError(RfsymError, ImportError):
    """An optional extra is needed; the message gives the exact install command."""


class MathMLError(RfsymError, ValueError):
    """latex2mathml could not convert a fragment of our LaTeX (names the step and fragment)."""


class ProofError(RfsymError, AssertionError):
    """A derivation step or an instantiation check does not hold."""


class LimitError(RfsymError, ValueError):
    """An input would exceed a documented cost bound (size, degree, index-set size, time).

    Raised instead of running out of memory or time on hostile input; the message names the place,
    the bound and how far the input goes past it.
    """


class ExpressionLimitError(ExpressionError, LimitError):
    """An expression is within the grammar but past a cost bound (length, nesting, exponent,
    number size, degree, expanded terms); quoted with a caret like any ExpressionError."""


class SpecLimitError(SpecError, LimitError):
    """A spec is well formed but past a cost bound (size, nesting, layer count, expression or
    closed-form size); it names the file, the layer and the field like any SpecError."""


class OutputError(RfsymError, OSError):
    """An output file cannot or must not be written (it is an input, its folder is missing)."""
