"""Mutation testing of proofs: one meaning-changing edit at a time must be rejected.

Certificates: every shipped certificate is mutated (:mod:`tests.certificate.mutants`: a
coefficient, an index, a limit, a citation, a binding, a rule name, a section order, a
definition, a result, a table cell, an instance, a quantifier, a network, a lemma) and each
mutant goes to the re-checker.  Derivations: the same kinds of edit are made to the kernel's
unchecked ``Derivation`` records and each goes to ``rfsym.proof.check``.  A mutant that is
accepted must be one of the documented *equivalent* kinds, each recognised here by its own
criterion (not by asking a checker):

* swapping the base case and the inductive step (the frame accepts either order), or two
  sections neither of which uses anything of the other;
* renaming ``definition`` / ``unroll one layer`` / ``substitute`` into one another when the step
  cites only definitions: the rule table makes these overlap on purpose (a forward use of a
  recurrence is a definition step, and ``substitute`` may use definitions);
* changing or dropping a citation whose fact occurs nowhere in the step (the kernel cites
  ``S_n``, which the unrolled expression no longer contains);
* changing an instantiation's value of a symbol the instantiated quantity does not depend on;
* quantifying a direct section's claim over a symbol nothing it relies on fixes (a direct
  claim's free symbols are already arbitrary).

``RFSYM_FULL_MUTATIONS=1`` runs every mutant instead of a bounded sample; ``python -m
tests.certificate.test_mutations`` prints the kill rate of all of them and every survivor.
"""

import dataclasses
import json
import os
import re
from pathlib import Path

import pytest
import sympy as sp

from rfsym.certificate.verify import CertificateError, verify
from rfsym.errors import LimitError, ProofError
from rfsym.examples import seed_example
from rfsym.model.chain import symbolic_chain
from rfsym.proof.check import check
from rfsym.proof.network import derive_chain
from rfsym.proof.steps import Equation
from rfsym.proof.theorems import THEOREMS

from .mutants import RULE_NAMES, free, mutants

STORE = Path(__file__).resolve().parents[2] / "derivations" / "certificates"
FULL = os.environ.get("RFSYM_FULL_MUTATIONS") == "1"
SKIP: set[str] = set()
OVERLAPPING = {"definition", "unroll one layer", "substitute"}
DEPENDS = {
    "rf": ("kernel_size", "dilation", "stride"),
    "jump": ("stride",),
    "padding": ("pad_left", "stride"),
}


def _produced(cert: dict, s: int) -> set[str]:
    before = sum(len(x["steps"]) for x in cert["sections"][:s])
    ids = {f"step:{before + t + 1}" for t in range(len(cert["sections"][s]["steps"]))}
    return ids | {f"claim:{s}"}


def _cited(section: dict) -> set[str]:
    return {c["fact"] for step in section["steps"] for c in step["cites"]}


def _params(eq: dict) -> set[str]:
    return (free(eq["lhs"]) | free(eq["rhs"])) - set(eq["variables"])


def equivalent(cert: dict, label: str) -> str | None:
    """Why an accepted mutant is equivalent to the original, or None if it is not."""
    sections = cert["sections"]
    if m := re.fullmatch(r"section order: swap (\d+) and (\d+)", label):
        a, b = int(m[1]) - 1, int(m[2]) - 1
        if {sections[a]["role"], sections[b]["role"]} == {"base", "step"}:
            return "base case and inductive step in the other order"
        table = sections[b].get("table") or {}
        uses_claim = table.get("source", {}).get("kind") == "instantiation" and (
            (sections[a].get("claim") or {}).get("lhs", [None])[0] == "sym"
            and sections[a]["claim"]["lhs"][1].startswith("r_")
        )
        if not (_produced(cert, a) & _cited(sections[b])) and not uses_claim:
            return "independent sections"
        return None
    place = re.search(r"section (\d+) step (\d+)", label)
    step = sections[int(place[1]) - 1]["steps"][int(place[2]) - 1] if place else None
    if m := re.match(r"rule name -> '([^']+)'", label):
        cited = {c["fact"].split(":")[0] for c in step["cites"]}
        if {m[1], step["rule"]} <= OVERLAPPING and cited == {"definition"}:
            return "overlapping rules, definitions cited"
        return BY_HAND.get((cert["name"], label))
    if m := re.match(r"citation (fact id|dropped) @ .* cite (\d+)", label):
        cite = step["cites"][int(m[2]) - 1]
        fact = next((d for d in cert["definitions"] if d["id"] == cite["fact"]), None)
        sides = json.dumps([step["lhs"], step["rhs"]])
        if fact is not None and fact["lhs"][0] == "sym" and json.dumps(fact["lhs"]) not in sides:
            return "the cited fact occurs nowhere in the step"
        return None
    if label.startswith("instance value"):
        inst = step["instance"]
        (name,) = sorted(inst["values"])[:1]
        layers = cert["networks"][inst["network"]]["layers"]
        used = set().union(*(free(layer[f]) for layer in layers for f in DEPENDS[inst["quantity"]]))
        return "the quantity does not depend on that symbol" if name not in used else None
    if m := re.fullmatch(r"claim generalised over (\S+) @ section (\d+)", label):
        section = sections[int(m[2]) - 1]
        relied = [_fact(cert, c) for c in _cited(section)] + cert["definitions"]
        if section["role"] == "direct" and not any(m[1] in _params(f) for f in relied if f):
            return "a direct claim's free symbol is already arbitrary"
        return None
    return BY_HAND.get((cert["name"], label))


BY_HAND = {
    ("distill", "rule name -> 'telescoping' @ section 4 step 3 (index shift)"): "both sides "
    "telescope to prod(L) - prod(0), so the step is also a telescoping step (checked by hand)",
}
"""Accepted mutants recognised as equivalent by reading them (each with the reason)."""


def _fact(cert: dict, fact_id: str) -> dict | None:
    """The JSON of a fact by its id (definitions, lemma results, direct claims)."""
    kind, _, rest = fact_id.partition(":")
    if kind == "definition":
        return cert["definitions"][int(rest) - 1]
    if kind == "lemma":
        name, _, j = rest.rpartition(":")
        lemma = next(x["certificate"] for x in cert["lemmas"] if x["certificate"]["name"] == name)
        return lemma["results"][int(j) - 1]
    if kind == "claim":
        return cert["sections"][int(rest)]["claim"]
    return None


def certificate_outcomes(path: Path, cache: dict) -> tuple[int, list, list]:
    cert = json.loads(path.read_text(encoding="utf-8"))
    options = {} if FULL else {"per_kind": 1, "max_steps": 10}
    killed, survivors, total = 0, [], 0
    for label, mutant in mutants(cert, **options):
        total += 1
        try:
            verify(mutant, source=path.name, cache=cache)
        except (CertificateError, LimitError):
            killed += 1
            continue
        survivors.append((label, equivalent(cert, label)))
    return total, killed, survivors


SHIPPED = sorted(p for p in STORE.rglob("*.json") if p.name not in SKIP)


@pytest.fixture(scope="module")
def lemma_cache():
    return {}


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_meaning_changing_certificate_mutant_is_rejected(path, lemma_cache):
    total, killed, survivors = certificate_outcomes(path, lemma_cache)
    unexplained = [label for label, why in survivors if why is None]
    assert not unexplained, f"{path.name}: accepted mutants {unexplained}"
    assert total > 20 and killed >= total - len(survivors)


# -- the kernel: the same edits on Derivation records, re-checked by rfsym.proof.check -----------


def _bump(expr: sp.Expr, how: str) -> sp.Expr | None:
    if how == "coefficient":
        return expr + 1
    if how == "limit":
        node = next(
            (e for e in sp.preorder_traversal(expr) if isinstance(e, sp.Sum | sp.Product)), None
        )
        if node is None:
            return None
        var, lo, hi = node.limits[0]
        return expr.xreplace({node: type(node)(node.function, (var, lo, hi + 1))})
    atom = next(iter(sorted(expr.atoms(sp.Indexed), key=sp.default_sort_key)), None)
    if atom is None:
        return None
    return expr.xreplace({atom: atom.base[(atom.indices[0] + 1, *atom.indices[1:])]})


def _replace_step(d, s, t, **changes):
    sections = list(d.sections)
    steps = list(sections[s].steps)
    steps[t] = dataclasses.replace(steps[t], **changes)
    sections[s] = dataclasses.replace(sections[s], steps=tuple(steps))
    return dataclasses.replace(d, sections=tuple(sections))


def derivation_mutants(d):
    for s, section in enumerate(d.sections):
        for t, step in enumerate(section.steps):
            where = f"section {s + 1} step {t + 1} ({step.rule})"
            for how in ("coefficient", "limit", "index"):
                new = _bump(step.rhs, how)
                if new is None or sp.expand(new - step.rhs) == 0:
                    continue
                m = _replace_step(d, s, t, rhs=new)
                steps = list(m.sections[s].steps)
                if t + 1 < len(steps) and steps[t + 1].continued:
                    m = _replace_step(m, s, t + 1, lhs=new)
                claim = section.claim
                if claim is not None and t == len(steps) - 1 and claim.rhs == step.rhs:
                    fixed = dataclasses.replace(claim, rhs=new)
                    sections = list(m.sections)
                    sections[s] = dataclasses.replace(sections[s], claim=fixed)
                    results = tuple(
                        fixed if (r.lhs, r.rhs) == (claim.lhs, claim.rhs) else r for r in m.results
                    )
                    m = dataclasses.replace(m, sections=tuple(sections), results=results)
                yield f"{how} @ {where} rhs", m
            others = [r for r in RULE_NAMES if r != step.rule]
            for rule in (others[(s + t) % len(others)], others[(s + t + 4) % len(others)]):
                yield f"rule name -> {rule!r} @ {where}", _replace_step(d, s, t, rule=rule)
            defs = list(d.definitions)
            for u, used in enumerate(step.using):
                if isinstance(used, Equation) and used in defs and len(defs) > 1:
                    other = defs[(defs.index(used) + 1) % len(defs)]
                    using = (*step.using[:u], other, *step.using[u + 1 :])
                    yield (
                        f"citation swapped @ {where} cite {u + 1}",
                        _replace_step(d, s, t, using=using),
                    )
    for s in range(len(d.sections) - 1):
        sections = list(d.sections)
        sections[s], sections[s + 1] = sections[s + 1], sections[s]
        yield (
            f"section order: swap {s + 1} and {s + 2}",
            dataclasses.replace(d, sections=tuple(sections)),
        )
    for i, definition in enumerate(d.definitions):
        defs = list(d.definitions)
        defs[i] = dataclasses.replace(definition, rhs=definition.rhs + 1)
        yield f"definition + 1 @ D{i + 1}", dataclasses.replace(d, definitions=tuple(defs))


def kernel_equivalent(d, label: str) -> str | None:
    if m := re.fullmatch(r"section order: swap (\d+) and (\d+)", label):
        a, b = d.sections[int(m[1]) - 1], d.sections[int(m[2]) - 1]
        if {a.role, b.role} == {"base", "step"}:
            return "base case and inductive step in the other order"
        used = {u for step in b.steps for u in step.using if isinstance(u, Equation)}
        tops = {step.lhs for step in a.steps} | ({a.claim.lhs} if a.claim else set())
        table_needs = b.heading == "Instantiation" and a.heading == "Receptive field"
        from_a = [u for u in used if u.lhs in tops and u not in d.definitions]
        if not from_a and not table_needs:
            return "independent sections"
        return None
    if m := re.match(r"citation swapped @ section (\d+) step (\d+) .* cite (\d+)", label):
        step = d.sections[int(m[1]) - 1].steps[int(m[2]) - 1]
        used = step.using[int(m[3]) - 1]
        present = step.lhs.free_symbols | step.rhs.free_symbols
        if isinstance(used.lhs, sp.Symbol) and used.lhs not in present:
            return "the cited fact occurs nowhere in the step"
        return None
    if m := re.match(r"rule name -> '([^']+)' @ section (\d+) step (\d+)", label):
        step = d.sections[int(m[2]) - 1].steps[int(m[3]) - 1]
        uses_defs = step.using and all(u in d.definitions for u in step.using)
        if {m[1], step.rule} <= OVERLAPPING and uses_defs:
            return "overlapping rules, definitions cited"
    return None


KERNEL_CASES = {
    **{f"theorem-{name}": builder for name, builder in THEOREMS.items()},
    "chain-seed": lambda: derive_chain(seed_example(), name="seed"),
    "chain-symbolic-2": lambda: derive_chain(symbolic_chain(2, padding=True)),
}


@pytest.mark.parametrize("case", sorted(KERNEL_CASES))
def test_every_meaning_changing_derivation_mutant_is_rejected_by_the_kernel(case):
    original = KERNEL_CASES[case]()
    check(original)
    total, unexplained = 0, []
    for label, mutant in derivation_mutants(original):
        total += 1
        try:
            check(mutant)
        except ProofError:
            continue
        except Exception as err:  # a crash is not a rejection
            unexplained.append(f"{label}: crashed with {type(err).__name__}: {err}")
            continue
        if kernel_equivalent(original, label) is None:
            unexplained.append(label)
    assert total > 5
    assert not unexplained, f"{case}: the kernel accepted {unexplained}"


def kill_rates(full: bool = True) -> None:
    """Print the kill rate of every mutant (``python -m tests.certificate.test_mutations``)."""
    global FULL
    FULL = full
    cache: dict = {}
    total = killed = equivalent_count = 0
    for path in SHIPPED:
        n, k, survivors = certificate_outcomes(path, cache)
        total, killed = total + n, killed + k
        equivalent_count += len(survivors)
        for label, why in survivors:
            print(f"  survivor {path.name}: {label}: {why}")
    changing = total - equivalent_count
    print(
        f"certificates: {total} mutants, {equivalent_count} equivalent, killed {killed}/{changing}"
    )
    total = killed = equivalent_count = 0
    for case in sorted(KERNEL_CASES):
        original = KERNEL_CASES[case]()
        for label, mutant in derivation_mutants(original):
            total += 1
            try:
                check(mutant)
            except ProofError:
                killed += 1
                continue
            why = kernel_equivalent(original, label)
            equivalent_count += why is not None
            print(f"  survivor {case}: {label}: {why or 'NOT EQUIVALENT'}")
    changing = total - equivalent_count
    print(f"kernel: {total} mutants, {equivalent_count} equivalent, killed {killed}/{changing}")


if __name__ == "__main__":
    kill_rates()
