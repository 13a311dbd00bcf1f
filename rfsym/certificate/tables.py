"""Re-checking a table: its rows recomputed from its source, every row and every cell.

The source is data in the certificate (``instantiation``: points, units, brute-force limit, of
the derivation's own network; ``pixels``: a small numeric network); the rows come from
:func:`rfsym.certificate.networks.table_rows`, and the instantiation table's closed-form column
from the certificate's own proven claim ``r_N = ...``.
"""

from __future__ import annotations

from rfsym.certificate import networks as nets
from rfsym.certificate.reader import get_field
from rfsym.certificate.rules import Failure
from rfsym.certificate.terms import CertificateFormatError
from rfsym.errors import LimitError

__all__ = ["PIXEL_COLUMNS", "check_table"]

PIXEL_COLUMNS = ("layer", "unit (from 1)", "pixels (from 1)", "count")


def check_table(verifier, where: str, table: object) -> None:
    """Refuse ``table`` unless it equals its rows recomputed (``verifier``: the certificate's
    reader, networks, main network, facts and definitions)."""
    where = f"{where}, table"
    columns = tuple(get_field(table, "columns", list, where))
    source = get_field(table, "source", dict, where)
    kind = get_field(source, "kind", str, where)
    number = get_field(source, "network", int, where)
    if not 0 <= number < len(verifier.networks):
        raise Failure(f"source network {number} does not exist")
    network = verifier.networks[number]
    if kind == "pixels":
        if columns != PIXEL_COLUMNS:
            raise Failure(f"the columns of a pixel table are {PIXEL_COLUMNS}")
        spec: dict = {"kind": "pixels"}
        closed = None
    elif kind == "instantiation":
        if columns != nets.INSTANTIATION_COLUMNS or number != verifier.main:
            raise Failure(
                "an instantiation table has the standard columns and is about the derivation's network"
            )
        points = []
        for point in get_field(source, "points", list, where):
            if not isinstance(point, dict):
                raise CertificateFormatError(f"{where}: a point is an object")
            values = {s: verifier.expr(t, where) for s, t in point.items()}
            if any(v[0] != "int" for v in values.values()):
                raise Failure("a point's values must be integers")
            points.append({s: v[1] for s, v in values.items()})
        units = get_field(source, "units", list, where)
        if (
            not all(isinstance(u, int) and 0 <= u <= 10**6 for u in units)
            or len(units) > 16
            or len(points) > 100
        ):
            raise LimitError(f"{where}: too many points or units")
        spec = {
            "kind": kind,
            "points": points,
            "units": units,
            "bruteforce_limit": get_field(source, "bruteforce_limit", int, where),
        }
        wanted = ("sym", f"{network.names()['r']}_{len(network.layers)}")
        closed = next(
            (
                f.rhs
                for f in verifier.state.facts.values()
                if f.kind == "claim" and f.lhs == wanted and not f.variables and not f.conditions
            ),
            None,
        )
    else:
        raise Failure(f"unknown table source {kind!r}")
    rows = [
        tuple(_cell(verifier, c, where) for c in row)
        for row in get_field(table, "rows", list, where)
    ]
    fresh = nets.table_rows(
        spec, network, getattr(verifier, "chain_defs", {}), closed, verifier.kinds
    )
    nets.compare_rows(rows, fresh)


def _cell(verifier, obj: object, where: str):
    if isinstance(obj, list) and len(obj) == 2 and obj[0] == "str" and isinstance(obj[1], str):
        if len(obj[1]) > 10_000:
            raise LimitError(f"{where}: a text cell is too long")
        return obj[1]
    value = verifier.expr(obj, f"{where} cell")
    if value[0] not in ("int", "rat"):
        raise CertificateFormatError(f"{where}: a cell is a number or ['str', text]")
    return value[1]
