"""``certificate(checked) -> dict`` and :func:`to_certificate`: what the kernel checked, as data.

A certificate lists the symbols (with their kinds), the definitions, every step (rule, both
sides, the facts it cites by id with the values it gives their variables, the instance of an
instantiation), the induction frame, the tables with the source each is recomputed from, the
networks those sources and instances refer to, the stated results, and each lemma's own
certificate with its SHA-256.  Expressions are prefix trees of JSON arrays
(:mod:`rfsym.certificate.terms`); numbers are decimal strings.  The bytes are deterministic:
sorted keys, fixed indent, trailing newline.

The exporter is not trusted: it only *finds* which fact each step cites and with which values;
:func:`rfsym.certificate.verify.verify` checks all of it again, without :mod:`rfsym.proof`.

>>> from rfsym.proof.theorems import theorem
>>> cert = certificate(theorem("jump"))
>>> cert["schema_version"], [d["id"] for d in cert["definitions"]]
(1, ['definition:1', 'definition:2'])
>>> cert["sections"][1]["steps"][1]["cites"]
[{'fact': 'hypothesis', 'bind': {}}]
"""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction

import sympy as sp

from rfsym.errors import ProofError
from rfsym.model.chain import Chain
from rfsym.proof.instantiate import InstantiationTable
from rfsym.proof.network import PixelTable
from rfsym.proof.steps import CheckedDerivation, Instance, Step, require_checked

__all__ = ["SCHEMA_VERSION", "certificate", "digest", "dumps", "to_certificate"]

SCHEMA_VERSION = 1


def dumps(cert: dict) -> str:
    """The canonical text of a certificate (sorted keys, indent 1, trailing newline)."""
    return json.dumps(cert, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def digest(cert: dict) -> str:
    """SHA-256 of the canonical text: how a certificate names its lemmas."""
    return hashlib.sha256(dumps(cert).encode("utf-8")).hexdigest()


def to_certificate(checked: CheckedDerivation) -> str:
    """The certificate of ``checked`` as canonical JSON text."""
    return dumps(certificate(checked))


def certificate(checked: CheckedDerivation) -> dict:
    """The certificate of ``checked`` as a JSON-ready dict (see ``docs/certificates.md``)."""
    require_checked(checked, "certificate")
    return _Exporter(checked).build()


def _condition(relation: sp.Expr) -> sp.Expr:
    """``a >= b`` as the expression ``a - b`` (meaning ``>= 0``), as the kernel's facts hold it."""
    if isinstance(relation, sp.GreaterThan):
        return relation.lhs - relation.rhs
    if isinstance(relation, sp.StrictGreaterThan):
        return relation.lhs - relation.rhs - 1
    if isinstance(relation, sp.LessThan):
        return relation.rhs - relation.lhs
    if isinstance(relation, sp.StrictLessThan):
        return relation.rhs - relation.lhs - 1
    return relation


class _Exporter:
    def __init__(self, checked: CheckedDerivation) -> None:
        self.checked = checked
        self.derivation = checked.derivation
        self.symbols: dict[str, str] = {}
        self.names: dict[sp.Symbol, str] = {}
        self.networks: list[tuple[Chain, int]] = []
        model = self.derivation.model
        if model is not None and model.chain is not None:
            self.networks.append((model.chain, model.axis))

    # -- expressions ----------------------------------------------------------------------

    def symbol(self, sym: sp.Symbol) -> str:
        """The certificate's name of ``sym``: its own, primed if another symbol has it."""
        if sym in self.names:
            return self.names[sym]
        if sym.is_integer and sym.is_positive:
            kind = "positive"
        elif sym.is_integer and sym.is_nonnegative:
            kind = "nonnegative"
        elif sym.is_integer:
            kind = "integer"
        else:
            kind = "any"
        name = sym.name
        while name in self.symbols:
            name += "'"
        self.symbols[name] = kind
        self.names[sym] = name
        return name

    def expr(self, e: sp.Expr) -> list:
        if isinstance(e, int | Fraction):
            e = sp.Rational(e)
        if e.is_Integer:
            return ["int", str(int(e))]
        if e.is_Rational:
            return ["rat", str(int(e.p)), str(int(e.q))]
        if isinstance(e, sp.Symbol):
            return ["sym", self.symbol(e)]
        if isinstance(e, sp.Indexed):
            return ["idx", str(e.base.label), *(self.expr(i) for i in e.indices)]
        if isinstance(e, sp.Add):
            return ["add", *(self.expr(a) for a in e.args)]
        if isinstance(e, sp.Mul):
            return ["mul", *(self.expr(a) for a in e.args)]
        if isinstance(e, sp.Pow) and e.exp.is_Integer:
            return ["pow", self.expr(e.base), self.expr(e.exp)]
        if isinstance(e, sp.floor | sp.ceiling):
            return ["floor" if isinstance(e, sp.floor) else "ceil", self.expr(e.args[0])]
        if isinstance(e, sp.Sum | sp.Product):
            op = "sum" if isinstance(e, sp.Sum) else "prod"
            out = self.expr(e.function)
            for var, lo, hi in reversed(e.limits):
                out = [op, self.symbol(var), self.expr(lo), self.expr(hi), out]
            return out
        raise ProofError(f"certificate: cannot write the expression {e} ({type(e).__name__})")

    def equation(self, eq) -> dict:
        """An :class:`Equation` or a kernel :class:`Fact`, with its quantifiers."""
        return {
            "lhs": self.expr(eq.lhs),
            "rhs": self.expr(eq.rhs),
            "variables": [self.symbol(v) for v in eq.variables],
            "conditions": [self.expr(_condition(c)) for c in eq.conditions],
        }

    def network(self, chain: Chain, axis: int) -> int:
        for number, (known, known_axis) in enumerate(self.networks):
            if known == chain and known_axis == axis:
                return number
        self.networks.append((chain, axis))
        return len(self.networks) - 1

    # -- the document ----------------------------------------------------------------------

    def build(self) -> dict:
        d, checked = self.derivation, self.checked
        facts = {f.id: f for f in checked.facts}
        definitions = []
        for number, eq in enumerate(d.definitions, start=1):
            fact = facts.get(f"definition:{number}", eq)
            definitions.append(
                {"id": f"definition:{number}", "name": eq.name, **self.equation(fact)}
            )
        records = {r.number: r for r in checked.steps}
        sections, number = [], 0
        for section in d.sections:
            steps = []
            for step in section.steps:
                number += 1
                steps.append(self.step(records[number], step, facts))
            sections.append(
                {
                    "heading": section.heading,
                    "role": section.role,
                    "claim": None if section.claim is None else self.equation(section.claim),
                    "steps": steps,
                    "table": None if section.table is None else self.table(section.table),
                }
            )
        ind = d.induction
        out = {
            "format": "rfsym-certificate",
            "schema_version": SCHEMA_VERSION,
            "name": d.name,
            "title": d.title,
            "definitions": definitions,
            "sections": sections,
            "induction": None
            if ind is None
            else {
                "variable": self.symbol(ind.variable),
                "base": self.expr(ind.base),
                "statement": self.equation(ind.statement),
            },
            "results": [self.equation(fact) for fact in checked.results],
            "lemmas": [{"sha256": digest(c), "certificate": c} for c in map(certificate, d.lemmas)],
        }
        out["network"] = 0 if self.networks else None
        out["networks"] = [self.network_data(chain, axis) for chain, axis in self.networks]
        out["symbols"] = dict(sorted(self.symbols.items()))
        return out

    def step(self, record, step: Step, facts: dict) -> dict:
        out: dict = {
            "rule": step.rule,
            "lhs": self.expr(step.lhs),
            "rhs": self.expr(step.rhs),
            "continued": step.continued,
            "cites": [],
        }
        for used in step.using:
            if isinstance(used, Instance):
                out["instance"] = {
                    "network": self.network(used.chain, used.axis),
                    "quantity": used.quantity,
                    "unit": used.unit,
                    "values": {self.symbol(s): self.expr(sp.Integer(v)) for s, v in used.values},
                }
        uses = []
        for k, fact_id in enumerate(record.cites):
            fact = facts.get(fact_id)
            if fact is None:
                raise ProofError(
                    f"certificate: step {record.number} cites {fact_id}, which is no fact"
                )
            sigma = dict(record.instances[k]) if k < len(record.instances) else {}
            uses.append((fact, sigma))
        for fact_id, variables, binding in _citations(uses, step):
            out["cites"].append(
                {
                    "fact": fact_id,
                    "bind": {self.symbol(v): self.expr(binding[v]) for v in variables},
                }
            )
        return out

    def table(self, table) -> dict:
        source = table.source
        if isinstance(source, InstantiationTable):
            src = {
                "kind": "instantiation",
                "network": self.network(source.chain, source.axis),
                "points": [
                    {self.symbol(s): self.expr(sp.Integer(v)) for s, v in point}
                    for point in source.points
                ],
                "units": list(source.units),
                "bruteforce_limit": source.bruteforce_limit,
            }
        elif isinstance(source, PixelTable):
            src = {"kind": "pixels", "network": self.network(source.chain, source.axis)}
        else:
            raise ProofError(f"certificate: a table's source {type(source).__name__} is unknown")
        return {
            "columns": list(table.columns),
            "rows": [[_cell(c) for c in row] for row in table.rows],
            "source": src,
        }

    def network_data(self, chain: Chain, axis: int) -> dict:
        layers = []
        for i, g in enumerate(chain.geometry(axis), start=1):
            layers.append(
                {
                    "label": chain.label(i),
                    **{
                        f: self.expr(getattr(g, f))
                        for f in ("kernel_size", "stride", "pad_left", "pad_right", "dilation")
                    },
                }
            )
        return {"axis": axis, "layers": layers}


def _cell(value) -> list:
    if isinstance(value, bool):
        raise ProofError(f"certificate: table cell {value!r} is not a number or text")
    if isinstance(value, int):
        return ["int", str(value)]
    if isinstance(value, Fraction):
        return ["rat", str(value.numerator), str(value.denominator)]
    if isinstance(value, str):
        return ["str", value]
    raise ProofError(f"certificate: table cell {value!r} is not a number or text")


# -- the values each citation gives the fact's variables (the verifier is the judge) --------------


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    return a == b or sp.expand(a - b) == 0


def _match(pattern: sp.Expr, actual: sp.Expr, variables) -> dict | None:
    """Values of ``variables`` making ``pattern`` equal ``actual`` (indices solved linearly)."""
    variables = set(variables)
    bound: dict = {}

    def bind(var, value) -> bool:
        if var in bound:
            return _same(bound[var], value)
        bound[var] = value
        return True

    def go(p, x) -> bool:
        if p == x and not (p.free_symbols & variables):
            return True
        if p in variables:
            return bind(p, x)
        if isinstance(p, sp.Indexed):
            if not isinstance(x, sp.Indexed) or p.base != x.base:
                return False
            if len(p.indices) != len(x.indices):
                return False
            for pi, xi in zip(p.indices, x.indices, strict=True):
                free = pi.free_symbols & variables
                if len(free) == 1:
                    var = next(iter(free))
                    if not bind(var, sp.expand(xi - (pi - var))):
                        return False
                elif free or not _same(pi, xi):
                    return False
            return True
        if type(p) is not type(x) or len(p.args) != len(x.args) or not p.args:
            return False
        return all(go(a, b) for a, b in zip(p.args, x.args, strict=True))

    return bound if go(pattern, actual) else None


def _bindings(fact, sigma: dict, side: sp.Expr) -> list[dict]:
    """Complete the kernel's values for ``fact``'s variables: those it left general are read
    off each occurrence of the fact's left-hand side in ``side`` (itself if none matches)."""
    open_vars = [v for v in fact.variables if v not in sigma]
    if not open_vars:
        return [dict(sigma)]
    pattern = fact.lhs.xreplace(sigma)
    found: list[dict] = []
    candidates = side.atoms(sp.Indexed) if isinstance(pattern, sp.Indexed) else set()
    for atom in sorted(candidates, key=sp.default_sort_key):
        tau = _match(pattern, atom, open_vars)
        if tau is None:
            continue
        binding = {**sigma, **{v: sp.expand(tau.get(v, v)) for v in open_vars}}
        if binding not in found:
            found.append(binding)
    return found or [{**sigma, **{v: v for v in open_vars}}]


def _citations(uses: list, step: Step) -> list[tuple[str, tuple, dict]]:
    """The citations of one step, read off the side the rewrite starts from."""
    best: list = []
    for side, other in ((step.lhs, step.rhs), (step.rhs, step.lhs)):
        cites, current = [], side
        for fact, sigma in uses:
            for binding in _bindings(fact, sigma, side):
                cites.append((fact.id, fact.variables, binding))
                current = current.xreplace({fact.lhs.xreplace(binding): fact.rhs.xreplace(binding)})
        if not best:
            best = cites
        if _same(current, other):
            return cites
    return best
