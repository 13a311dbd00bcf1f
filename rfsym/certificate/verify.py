"""``verify(certificate)``: re-check a proof certificate without :mod:`rfsym.proof`.

The second checker of the de Bruijn criterion.  It reads the JSON with bounds (size, nesting,
number of nodes, digits, exponents), builds its own trees (:mod:`rfsym.certificate.terms`) and
checks, in order:

1. the lemmas: each embedded certificate has the SHA-256 stated for it and verifies itself;
2. the definitions: no two define the same instance (:mod:`~rfsym.certificate.definitions`);
   for a network's derivation they are exactly its layer recurrences, and the network's own
   symbols do not use the derivation's names ``r_i``, ``S_i``, ``P_i``;
3. every step: its rule is one of the closed set; a continued step starts where the previous
   ended; each citation names a fact available at that point, gives a value to each of that
   fact's variables and to nothing else (a citation instantiates, it cannot generalise); the
   rule's own check (:mod:`~rfsym.certificate.rules`, or the fold for ``instantiation``);
4. every section's claim is what its chain of steps proves, and generalises only symbols that
   nothing it relied on fixes; every table equals its rows recomputed from its source;
5. the induction frame: one base section at the base value and one inductive step, the
   hypothesis (``hypothesis``) the statement at ``variable - 1`` and never generalised over the
   variable; the statement becomes a fact only when both halves are checked;
6. every stated result is a proven claim or the induction statement.

A failure raises :class:`CertificateError` naming the certificate, the step (or section) and
what failed.  Nothing in a certificate is executed or evaluated as code.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import sympy as sp

from rfsym.certificate import networks as nets
from rfsym.certificate.citations import Fact, instantiate, recurrence
from rfsym.certificate.conditions import enter
from rfsym.certificate.definitions import check_definitions, covered
from rfsym.certificate.reader import CertificateError, canonical, get_field, load
from rfsym.certificate.rules import REWRITING, RULES, Failure, Instance, StepData
from rfsym.certificate.tables import check_table
from rfsym.certificate.terms import (
    KINDS,
    Budget,
    CertificateFormatError,
    alpha_equal,
    equal,
    normal,
    read,
    subst,
)
from rfsym.errors import LimitError

__all__ = ["CertificateError", "Report", "load", "verify", "verify_file"]

SCHEMA_VERSION = 1
MAX_LEMMA_DEPTH = 8
ROLES = ("direct", "base", "step")


@dataclass(frozen=True)
class Report:
    """What a successful verification checked."""

    name: str
    sha256: str
    steps: int
    rules: Mapping[str, int]
    tables: int
    lemmas: int
    results: int

    def summary(self) -> str:
        """One line: ``verified 'rf' (sha256 0979cb6eb475): 5 steps, 0 tables, 0 lemmas, 1 result``."""
        counts = ", ".join(
            f"{n} {word}{'' if n == 1 else 's'}"
            for n, word in (
                (self.steps, "step"),
                (self.tables, "table"),
                (self.lemmas, "lemma"),
                (self.results, "result"),
            )
        )
        return f"verified {self.name!r} (sha256 {self.sha256[:12]}): {counts}"


def verify(
    cert: dict | str | bytes, *, source: str = "certificate", cache: dict | None = None
) -> Report:
    """Re-check a certificate (a parsed dict or its JSON text); return what was checked.

    Raises:
        CertificateError: naming the place (step, section, table, lemma) and what failed.
        LimitError: when the certificate exceeds a cost bound.

    ``cache`` (SHA-256 -> report) lets several calls share the lemmas already verified.
    """
    data = load(cert, source) if isinstance(cert, str | bytes) else cert
    return _Verifier(data, source, {} if cache is None else cache, 0).run()


def verify_file(path: str | Path, cache: dict | None = None) -> Report:
    """Re-check the certificate stored at ``path``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise CertificateError(f"{path}: cannot read it ({err.strerror or err})") from None
    return _Verifier(load(raw, str(path)), str(path), {} if cache is None else cache, 0).run()


# -- checking -------------------------------------------------------------------------------------


@dataclass
class _State:
    facts: dict[str, Fact] = field(default_factory=dict)
    proven: list[Fact] = field(default_factory=list)
    rules: Counter = field(default_factory=Counter)
    steps: int = 0
    tables: int = 0


class _Verifier:
    def __init__(self, data: dict, source: str, cache: dict, depth: int) -> None:
        self.data, self.source, self.cache, self.depth = data, source, cache, depth
        self.budget = Budget()
        self.state = _State()
        self.place = source

    def fail(self, where: str, why: str) -> CertificateError:
        return CertificateError(f"{self.place}: {where}: {why}")

    def run(self) -> Report:
        try:
            return self._run()
        except (CertificateFormatError, Failure, nets.NetworkFailure) as err:
            raise CertificateError(f"{self.place}: {err}") from None

    def expr(self, obj: object, where: str) -> tuple:
        return read(obj, where, self.budget, self.kinds)

    def _run(self) -> Report:
        d = self.data
        if d.get("format") != "rfsym-certificate":
            raise CertificateFormatError("the field 'format' must be 'rfsym-certificate'")
        if d.get("schema_version") != SCHEMA_VERSION:
            raise CertificateFormatError(
                f"schema_version {d.get('schema_version')!r} is not supported (only {SCHEMA_VERSION})"
            )
        name = get_field(d, "name", str, "certificate")
        self.place = f"{self.source} ({name!r})" if self.source != name else self.source
        symbols = get_field(d, "symbols", dict, "symbols")
        for sym, kind in symbols.items():
            if kind not in KINDS:
                raise CertificateFormatError(f"symbols: {sym!r} has unknown kind {kind!r}")
        self.kinds = dict(symbols)
        for sym in symbols:
            self.expr(["sym", sym], "symbols")
        self.networks = self.read_networks()
        main = d.get("network")
        if main is not None and (not isinstance(main, int) or not 0 <= main < len(self.networks)):
            raise CertificateFormatError("network: must be the index of a network, or null")
        self.main = main
        lemmas = self.check_lemmas()
        self.check_definitions()
        self.induction = self.read_induction()
        frame: set[str] = set()
        sections = get_field(d, "sections", list, "sections")
        for number, section in enumerate(sections, start=1):
            self.check_section(number, section, frame)
        if self.induction is not None and frame != {"base", "step"}:
            raise Failure("the induction needs one base section and one inductive step section")
        results = get_field(d, "results", list, "results")
        for number, result in enumerate(results, start=1):
            self.check_result(number, result)
        digest = hashlib.sha256(canonical(d).encode("utf-8")).hexdigest()
        return Report(
            name=name,
            sha256=digest,
            steps=self.state.steps,
            rules=dict(sorted(self.state.rules.items())),
            tables=self.state.tables,
            lemmas=lemmas,
            results=len(results),
        )

    # -- parts ------------------------------------------------------------------------------

    def read_networks(self) -> list[nets.Network]:
        out = []
        for number, obj in enumerate(get_field(self.data, "networks", list, "networks")):
            where = f"networks[{number}]"
            layers = []
            for i, layer in enumerate(get_field(obj, "layers", list, where), start=1):
                label = get_field(layer, "label", str, f"{where} layer {i}")
                fields = {
                    f: self.expr(
                        get_field(layer, f, list, f"{where} {label}"), f"{where} {label} {f}"
                    )
                    for f in nets.FIELDS
                }
                layers.append((label, fields))
            out.append(nets.Network(axis=get_field(obj, "axis", int, where), layers=tuple(layers)))
        return out

    def check_lemmas(self) -> int:
        count = 0
        for number, item in enumerate(get_field(self.data, "lemmas", list, "lemmas"), start=1):
            where = f"lemma {number}"
            stated = get_field(item, "sha256", str, where)
            cert = get_field(item, "certificate", dict, where)
            actual = hashlib.sha256(canonical(cert).encode("utf-8")).hexdigest()
            if actual != stated:
                raise Failure(
                    f"{where}: its certificate hashes to {actual[:12]}..., not {stated[:12]}..."
                )
            if self.depth >= MAX_LEMMA_DEPTH:
                raise LimitError(f"{self.place}: lemmas nested deeper than {MAX_LEMMA_DEPTH}")
            if actual not in self.cache:
                inner = _Verifier(cert, f"{self.place} {where}", self.cache, self.depth + 1)
                self.cache[actual] = inner.run()
            count += 1 + self.cache[actual].lemmas
            lemma_kinds = get_field(cert, "symbols", dict, where)
            for j, result in enumerate(get_field(cert, "results", list, where), start=1):
                self.merge_kinds(lemma_kinds, where)
                lhs, rhs, variables = self.equation(result, f"{where} result {j}")
                conds = self.conditions(result, f"{where} result {j}")
                lemma_id = f"lemma:{get_field(cert, 'name', str, where)}:{j}"
                self.add(Fact(lemma_id, "lemma", lhs, rhs, variables, conditions=conds))
        return count

    def merge_kinds(self, other: Mapping[str, str], where: str) -> None:
        for sym, kind in other.items():
            if self.kinds.get(sym, kind) != kind:
                raise Failure(
                    f"{where}: the symbol {sym!r} is {kind} there, {self.kinds[sym]} here"
                )
            self.kinds.setdefault(sym, kind)

    def equation(self, obj: object, where: str) -> tuple[tuple, tuple, tuple[str, ...]]:
        lhs = self.expr(get_field(obj, "lhs", list, where), f"{where} lhs")
        rhs = self.expr(get_field(obj, "rhs", list, where), f"{where} rhs")
        variables = get_field(obj, "variables", list, where)
        for v in variables:
            if not isinstance(v, str) or v not in self.kinds:
                raise CertificateFormatError(f"{where}: variable {v!r} is not a declared symbol")
        if len(set(variables)) != len(variables):
            raise CertificateFormatError(f"{where}: a variable is listed twice")
        return lhs, rhs, tuple(variables)

    def conditions(self, obj: object, where: str) -> tuple[tuple, ...]:
        """The conditions (each ``e``, meaning ``e >= 0``) an equation holds under."""
        items = get_field(obj, "conditions", list, where)
        return tuple(self.expr(c, f"{where} condition") for c in items)

    def context_of(self, conditions) -> tuple:
        return tuple(normal(c, self.kinds) for c in conditions)

    def add(self, fact: Fact) -> None:
        if fact.id in self.state.facts:
            raise CertificateFormatError(f"fact id {fact.id} is used twice")
        self.state.facts[fact.id] = fact

    def check_definitions(self) -> None:
        defs = []
        self.overrides: dict[str, list] = {}
        for number, obj in enumerate(
            get_field(self.data, "definitions", list, "definitions"), start=1
        ):
            fact_id = f"definition:{number}"
            if obj.get("id") != fact_id:
                raise CertificateFormatError(f"definition {number}: its id must be {fact_id}")
            lhs, rhs, variables = self.equation(obj, f"definition {fact_id}")
            conds = self.conditions(obj, f"definition {fact_id}")
            defs.append(
                Fact(fact_id, "definition", lhs, rhs, variables, recurrence(lhs, rhs), conds)
            )
        try:
            self.overrides = check_definitions(
                [(f.id, f.lhs, f.variables, f.conditions) for f in defs], self.kinds
            )
        except ValueError as err:
            raise Failure(str(err)) from None
        if self.main is not None:
            network = self.networks[self.main]
            expected = nets.chain_definitions(network)
            clash = sorted(network.symbols & set(expected))
            if clash:
                raise Failure(
                    f"the network's symbol {clash[0]} collides with the derivation's own names"
                )
            for f in defs:
                name = f.lhs[1] if f.lhs[0] == "sym" else None
                if name not in expected or f.variables:
                    raise Failure(
                        f"definition {f.id} is not one of the network's layer recurrences"
                    )
                if not equal(f.rhs, expected[name], self.kinds):
                    raise Failure(
                        f"definition {f.id} of {name} does not match the network's layer data"
                    )
            self.chain_defs = {f.lhs[1]: f.rhs for f in defs}
        for f in defs:
            self.add(f)

    def read_induction(self) -> tuple | None:
        obj = self.data.get("induction")
        if obj is None:
            return None
        var = get_field(obj, "variable", str, "induction")
        if var not in self.kinds:
            raise CertificateFormatError(f"induction: variable {var!r} is not declared")
        base = self.expr(get_field(obj, "base", list, "induction"), "induction base")
        statement = get_field(obj, "statement", dict, "induction")
        lhs, rhs, variables = self.equation(statement, "induction statement")
        conds = self.conditions(statement, "induction statement")
        if var in variables:
            raise Failure(
                f"induction: the statement cannot be quantified over its own variable {var}"
            )
        back = {var: ("add", (("sym", var), ("int", -1)))}
        self.hypothesis = Fact(
            "hypothesis",
            "hypothesis",
            subst(lhs, back),
            subst(rhs, back),
            variables,
            conditions=tuple(subst(c, back) for c in conds),
        )
        self.statement_conditions = conds
        return var, base, (lhs, rhs, variables)

    def check_section(self, number: int, section: object, frame: set[str]) -> None:
        heading = get_field(section, "heading", str, f"section {number}")
        role = get_field(section, "role", str, f"section {number}")
        where = f"section {number} {heading!r}"
        if role not in ROLES:
            raise CertificateFormatError(f"{where}: unknown role {role!r}")
        if role != "direct" and self.induction is None:
            raise Failure(f"{where}: a {role} section needs an induction")
        steps = get_field(section, "steps", list, where)
        claim = section.get("claim")
        assumed: tuple = ()
        if role == "direct":
            assumed = () if claim is None else self.conditions(claim, f"{where} claim")
            self.context = self.context_of(assumed)
        else:
            var, base = self.induction[0], self.induction[1]
            at = {var: base} if role == "base" else {}
            assumed = tuple(subst(c, at) for c in self.statement_conditions)
            if role == "step":
                below = ("add", (("sym", var), ("mul", (("int", -1), base)), ("int", -1)))
                assumed = (below, *assumed)
            self.context = self.context_of(assumed)
        previous: StepData | None = None
        start = None
        relied: set[str] = set()
        tainted = False
        for step in steps:
            self.state.steps += 1
            data, cited = self.check_step(self.state.steps, step, role, previous, heading)
            relied |= cited
            if not data.continued:
                start, tainted = data.lhs, False
            tainted = tainted or data.rule == "instantiation"
            if role == "direct" and not tainted:
                # proven under the section's assumptions, so it holds only under them
                fact_id = f"step:{self.state.steps}"
                self.add(Fact(fact_id, "step", start, data.rhs, (), conditions=assumed))
            previous = data
        if claim is not None:
            self.check_claim(where, role, claim, steps, relied)
        table = section.get("table")
        if table is not None:
            self.check_table(where, table)
        if role != "direct":
            if role in frame:
                raise Failure(f"{where}: a second {role} section")
            frame.add(role)
            if frame == {"base", "step"}:
                var, base, (lhs, rhs, variables) = self.induction
                above = ("add", (("sym", var), ("mul", (("int", -1), base))))
                fact = Fact(
                    "induction",
                    "induction",
                    lhs,
                    rhs,
                    (*variables, var),
                    conditions=(*self.statement_conditions, above),
                )
                self.add(fact)
                self.state.proven.append(fact)
        elif claim is not None:
            lhs, rhs, variables = self.equation(claim, f"{where} claim")
            conds = self.conditions(claim, f"{where} claim")
            fact = Fact(f"claim:{number - 1}", "claim", lhs, rhs, variables, conditions=conds)
            self.add(fact)
            self.state.proven.append(fact)

    def check_claim(self, where, role, claim, steps, relied: set[str]) -> None:
        lhs, rhs, variables = self.equation(claim, f"{where} claim")
        if not steps:
            raise Failure(f"{where}: a claim needs at least one step")
        if any(not s.get("continued") for s in steps[1:]):
            raise Failure(f"{where}: a section with a claim must be one chain of continued steps")
        if any(s.get("rule") == "instantiation" for s in steps):
            raise Failure(f"{where}: a claim cannot rest on an instantiation at particular values")
        first = self.expr(steps[0]["lhs"], where)
        last = self.expr(steps[-1]["rhs"], where)
        if not (equal(first, lhs, self.kinds) and equal(last, rhs, self.kinds)):
            raise Failure(f"{where}: the steps do not prove the claim")
        facts = [self.state.facts[i] for i in relied if i in self.state.facts]
        facts += [f for f in self.state.facts.values() if f.kind == "definition"]
        if role == "step":
            facts.append(self.hypothesis)
        for v in variables:
            if role == "step" and v == self.induction[0]:
                raise Failure(f"{where}: the claim is generalised over the induction variable {v}")
            fixed = [f.id for f in facts if v in f.params]
            if fixed:
                raise Failure(f"{where}: the claim is generalised over {v}, which {fixed[0]} fixes")
        if role != "direct":
            var, base, (s_lhs, s_rhs, s_vars) = self.induction
            want = (
                (subst(s_lhs, {var: base}), subst(s_rhs, {var: base}))
                if role == "base"
                else (s_lhs, s_rhs)
            )
            if not (alpha_equal(lhs, want[0]) and equal(rhs, want[1], self.kinds)) or set(
                variables
            ) != set(s_vars):
                raise Failure(
                    f"{where}: the {role} section must claim the statement"
                    + (f" at {var} = base" if role == "base" else "")
                )

    def check_step(self, number, obj, role, previous, heading) -> tuple[StepData, set[str]]:
        rule = get_field(obj, "rule", str, f"step {number}")
        where = f"step {number} (section {heading!r}, rule {rule!r})"
        try:
            lhs = self.expr(get_field(obj, "lhs", list, "the step"), "left-hand side")
            rhs = self.expr(get_field(obj, "rhs", list, "the step"), "right-hand side")
            continued = get_field(obj, "continued", bool, "the step")
            cites = get_field(obj, "cites", list, "the step")
            if continued and (previous is None or not alpha_equal(previous.rhs, lhs)):
                raise Failure("a continued step must start where the previous one ended")
            if rule == "instantiation":
                if cites:
                    raise Failure("an instantiation cites no fact")
                self.check_instance(obj, lhs, rhs, "the instance")
                data = StepData(number, rule, lhs, rhs, continued, (), self.kinds, self.context)
                self.state.rules[rule] += 1
                return data, set()
            check = RULES.get(rule)
            if check is None:
                raise Failure(
                    f"unknown rule; the rules are {', '.join(sorted([*RULES, 'instantiation']))}"
                )
            if "instance" in obj:
                raise Failure("only an instantiation names an instance")
            allowed = REWRITING.get(rule, ())
            if cites and not allowed:
                raise Failure("this rule cites no fact")
            instances, cited = [], set()
            for cite in cites:
                fact_id = get_field(cite, "fact", str, "a citation")
                fact = self.state.facts.get(fact_id)
                if fact_id == "hypothesis" and role == "step" and self.induction is not None:
                    fact = self.hypothesis
                if fact is None:
                    raise Failure(f"cites {fact_id}, which is not a fact available here")
                if fact.kind not in allowed:
                    raise Failure(
                        f"cites {fact_id}, a {fact.kind}; this rule may cite only: {', '.join(allowed)}"
                    )
                instances.append(self.instance(fact, get_field(cite, "bind", dict, "a citation")))
                cited.add(fact_id)
            data = StepData(
                number,
                rule,
                lhs,
                rhs,
                continued,
                tuple(instances),
                self.kinds,
                self.context,
                self.enter,
            )
            check(data)
        except (Failure, nets.NetworkFailure, CertificateFormatError) as err:
            raise self.fail(where, str(err)) from None
        except LimitError as err:
            raise LimitError(f"{self.place}: {where}: {err}") from None
        self.state.rules[rule] += 1
        return data, cited

    def instance(self, fact: Fact, bind: dict) -> Instance:
        if set(bind) != set(fact.variables):
            raise Failure(
                f"the citation of {fact.id} must give a value to each of its variables "
                f"({', '.join(fact.variables) or 'none'}) and to nothing else, not to "
                f"({', '.join(sorted(bind)) or 'none'})"
            )
        values = {v: self.expr(t, f"the value of {v}") for v, t in bind.items()}
        for specific in self.overrides.get(fact.id, ()):
            if covered(subst(fact.lhs, values), specific, self.kinds):
                raise Failure(
                    f"{fact.id} does not define this instance: a more specific definition does"
                )
        return instantiate(fact, values, self.kinds)

    def enter(self, context: tuple, var: str, lo: tuple, hi: tuple) -> tuple:
        return enter(context, var, normal(lo, self.kinds), normal(hi, self.kinds), self.kinds)

    def check_instance(self, obj: dict, lhs: tuple, rhs: tuple, where: str) -> None:
        inst = get_field(obj, "instance", dict, where)
        number = get_field(inst, "network", int, where)
        if not 0 <= number < len(self.networks):
            raise Failure(f"instance: network {number} does not exist")
        values = {}
        for sym, t in get_field(inst, "values", dict, where).items():
            value = self.expr(t, f"{where} value of {sym}")
            if value[0] != "int":
                raise Failure(f"instance: the value of {sym} must be an integer")
            values[sym] = value[1]
        network = self.networks[number]
        nets.check_values(network, values, self.kinds)
        quantity = get_field(inst, "quantity", str, where)
        nets.instantiation(network, quantity, values, lhs, rhs, number == self.main)

    def check_table(self, where: str, table: object) -> None:
        try:
            check_table(self, where, table)
        except (Failure, nets.NetworkFailure, CertificateFormatError) as err:
            raise self.fail(f"{where}, table", str(err)) from None
        except LimitError as err:
            raise LimitError(f"{self.place}: {where}, table: {err}") from None
        self.state.tables += 1

    def check_result(self, number: int, obj: object) -> None:
        lhs, rhs, variables = self.equation(obj, f"result {number}")
        conds = [normal(c, self.kinds) for c in self.conditions(obj, f"result {number}")]
        for fact in self.state.proven:
            needed = [normal(c, self.kinds) for c in fact.conditions]
            if (
                alpha_equal(fact.lhs, lhs)
                and set(variables) <= set(fact.variables)
                and equal(fact.rhs, rhs, self.kinds)
                and all(any(sp.expand(a - b) == 0 for b in conds) for a in needed)
            ):
                return
        raise Failure(f"result {number} is not proven by any section (with these conditions)")
