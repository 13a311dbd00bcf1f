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
(1, ['D1', 'D2'])
>>> cert["sections"][1]["steps"][1]["cites"]
[{'fact': 'HYP', 'bind': {}}]
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
from rfsym.proof.steps import CheckedDerivation, Equation, Instance, Step, require_checked

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


class _Exporter:
    def __init__(self, checked: CheckedDerivation) -> None:
        self.derivation = checked.derivation
        self.symbols: dict[str, str] = {}
        self.networks: list[tuple[Chain, int]] = []
        model = self.derivation.model
        if model is not None and model.chain is not None:
            self.networks.append((model.chain, model.axis))

    # -- expressions ----------------------------------------------------------------------

    def symbol(self, sym: sp.Symbol) -> str:
        if sym.is_integer and sym.is_positive:
            kind = "positive"
        elif sym.is_integer and sym.is_nonnegative:
            kind = "nonnegative"
        elif sym.is_integer:
            kind = "integer"
        else:
            kind = "any"
        known = self.symbols.setdefault(sym.name, kind)
        if known != kind:
            raise ProofError(
                f"certificate: two different symbols are both named {sym.name!r} ({known}, {kind})"
            )
        return sym.name

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

    def equation(self, eq: Equation) -> dict:
        return {
            "lhs": self.expr(eq.lhs),
            "rhs": self.expr(eq.rhs),
            "variables": [self.symbol(v) for v in eq.variables],
        }

    def network(self, chain: Chain, axis: int) -> int:
        for number, (known, known_axis) in enumerate(self.networks):
            if known == chain and known_axis == axis:
                return number
        self.networks.append((chain, axis))
        return len(self.networks) - 1

    # -- the document ----------------------------------------------------------------------

    def build(self) -> dict:
        d = self.derivation
        lemmas = [certificate(lemma) for lemma in d.lemmas]
        facts = _Facts()
        definitions = []
        for number, eq in enumerate(d.definitions, start=1):
            facts.add(f"D{number}", eq.lhs, eq.rhs, eq.variables)
            definitions.append({"id": f"D{number}", "name": eq.name, **self.equation(eq)})
        for i, lemma in enumerate(d.lemmas, start=1):
            for j, eq in enumerate(lemma.derivation.results, start=1):
                facts.add(f"L{i}.R{j}", eq.lhs, eq.rhs, eq.variables)
        ind = d.induction
        hypothesis = None
        if ind is not None:
            back = {ind.variable: ind.variable - 1}
            hypothesis = (
                ind.statement.lhs.xreplace(back),
                ind.statement.rhs.xreplace(back),
                tuple(ind.statement.variables),
            )
        sections, number, frame_done = [], 0, set()
        for s_number, section in enumerate(d.sections, start=1):
            steps, start = [], None
            for step in section.steps:
                number += 1
                steps.append(self.step(number, step, section.role, facts, hypothesis))
                start = step.lhs if not step.continued else start
                if section.role == "direct" and step.rule != "instantiation":
                    facts.add(f"S{number}", start, step.rhs, ())
            if section.claim is not None and section.role == "direct":
                facts.add(
                    f"C{s_number}", section.claim.lhs, section.claim.rhs, section.claim.variables
                )
            if section.role in ("base", "step"):
                frame_done.add(section.role)
                if frame_done == {"base", "step"} and ind is not None:
                    statement = ind.statement
                    facts.add("IND", statement.lhs, statement.rhs, statement.variables)
            sections.append(
                {
                    "heading": section.heading,
                    "role": section.role,
                    "claim": None if section.claim is None else self.equation(section.claim),
                    "steps": steps,
                    "table": None if section.table is None else self.table(section.table),
                }
            )
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
            "results": [self.equation(eq) for eq in d.results],
            "lemmas": [{"sha256": digest(c), "certificate": c} for c in lemmas],
        }
        out["network"] = 0 if self.networks else None
        out["networks"] = [self.network_data(chain, axis) for chain, axis in self.networks]
        out["symbols"] = dict(sorted(self.symbols.items()))
        return out

    def step(self, number, step: Step, role, facts: _Facts, hypothesis) -> dict:
        out: dict = {
            "rule": step.rule,
            "lhs": self.expr(step.lhs),
            "rhs": self.expr(step.rhs),
            "continued": step.continued,
            "cites": [],
        }
        uses = []
        for used in step.using:
            if isinstance(used, Instance):
                out["instance"] = {
                    "network": self.network(used.chain, used.axis),
                    "quantity": used.quantity,
                    "unit": used.unit,
                    "values": {self.symbol(s): self.expr(sp.Integer(v)) for s, v in used.values},
                }
                continue
            if step.rule == "induction hypothesis" and hypothesis is not None:
                found = [("HYP", *hypothesis)]
            else:
                found = facts.lookup(used)
            if not found:
                raise ProofError(
                    f"certificate: step {number} ({step.rule}) uses {used.lhs} = {used.rhs}, "
                    "which is no definition, lemma result or earlier fact"
                )
            uses.append((found[0], used))
        for binding_fact_id, variables, binding in _citations(uses, step):
            out["cites"].append(
                {
                    "fact": binding_fact_id,
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


# -- finding the cited fact and its instantiation (heuristics; the verifier is the judge) ----------


class _Facts:
    def __init__(self) -> None:
        self.items: list[tuple[str, sp.Expr, sp.Expr, tuple]] = []

    def add(self, fact_id, lhs, rhs, variables) -> None:
        self.items.append((fact_id, lhs, rhs, tuple(variables)))

    def lookup(self, eq: Equation) -> list:
        exact = [f for f in self.items if (f[1], f[2]) == (eq.lhs, eq.rhs)]
        if exact:
            return exact[:1]
        for fact in self.items:
            sigma = _match(fact[1], eq.lhs, fact[3])
            if sigma is not None and _same(fact[2].xreplace(sigma), eq.rhs):
                return [fact]
        return []


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


def _bindings(lhs, variables, used: Equation, side: sp.Expr) -> list[dict]:
    """One binding of the fact's variables per way ``used`` applies to ``side``."""
    sigma = _match(lhs, used.lhs, variables) or {}
    sigma = {v: sigma.get(v, v) for v in variables}
    if not used.variables:
        return [sigma]
    found: list[dict] = []
    for atom in sorted(side.atoms(sp.Indexed), key=sp.default_sort_key):
        tau = _match(used.lhs, atom, used.variables)
        if tau is None:
            continue
        binding = {v: sp.expand(sigma[v].xreplace(tau)) for v in variables}
        if binding not in found:
            found.append(binding)
    return found or [sigma]


def _citations(uses: list, step: Step) -> list[tuple[str, tuple, dict]]:
    """The citations of one step, read off the side the rewrite starts from."""
    best: list = []
    for side, other in ((step.lhs, step.rhs), (step.rhs, step.lhs)):
        cites, current = [], side
        for (fact_id, lhs, rhs, variables), used in uses:
            for binding in _bindings(lhs, variables, used, side):
                cites.append((fact_id, variables, binding))
                current = current.xreplace({lhs.xreplace(binding): rhs.xreplace(binding)})
        if not best:
            best = cites
        if _same(current, other):
            return cites
    return best
