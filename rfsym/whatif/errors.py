"""Errors of the what-if tools.

Both derive from :class:`~rfsym.errors.RfsymError` and :class:`ValueError` and carry the place,
the offending value and what is allowed as attributes, like the core's ``LayerSpecError``.
"""

from __future__ import annotations

from rfsym.errors import RfsymError

__all__ = ["NoIntegerSolutionError", "WhatIfError"]


class WhatIfError(RfsymError, ValueError):
    """A what-if question is malformed: unknown parameter, bad target, wrong assumptions.

    >>> str(WhatIfError(where="solve", field="target", value=0, allowed="a positive integer"))
    'solve: target = 0 is not allowed; target must be a positive integer'
    """

    def __init__(self, *, where: str, field: str, value: object, allowed: str) -> None:
        self.where = where
        self.field = field
        self.value = value
        self.allowed = allowed
        super().__init__(f"{where}: {field} = {value!s} is not allowed; {field} must be {allowed}")


class NoIntegerSolutionError(RfsymError, ValueError):
    """No admissible integer value of the unknown meets the target.

    Attributes:
        unknown: the name of the unknown.
        target: the requested value.
        relation: ``">="`` or ``"=="``.
        reason: why, with the values that show it (``"rf(k=4) = 69 < 70 < rf(k=5) = 73"``).
    """

    def __init__(self, *, unknown: str, target: object, relation: str, reason: str) -> None:
        self.unknown = unknown
        self.target = target
        self.relation = relation
        self.reason = reason
        super().__init__(f"no integer value of {unknown} gives {relation} {target}: {reason}")
