"""Mutants of a certificate: one meaning-changing edit at a time (used by test_mutations.py).

Each operator edits one thing and keeps the rest consistent where a careless forger would: an
expression changed in a step's right-hand side is changed in the next step's left-hand side too
(and in the section's claim and the stated results when it is the last step), so the rules, not
just the chain-continuity check, have to catch it.  Every mutant is labelled
``"<operator> @ <place>"``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

RULE_NAMES = (
    "algebraic simplification",
    "definition",
    "empty sum/product",
    "index shift",
    "induction hypothesis",
    "instantiation",
    "peel the last term",
    "substitute",
    "telescoping",
    "unroll one layer",
)


def copy(obj):
    return json.loads(json.dumps(obj))


def free(tree: list) -> set[str]:
    """Free symbol names of a JSON expression tree."""
    op = tree[0]
    if op == "sym":
        return {tree[1]}
    if op in ("int", "rat"):
        return set()
    if op in ("sum", "prod"):
        return free(tree[2]) | free(tree[3]) | (free(tree[4]) - {tree[1]})
    parts = tree[2:] if op == "idx" else tree[1:]
    return set().union(*(free(p) for p in parts))


def _one(text: str) -> list:
    return ["int", text]


def expression_edits(tree: list) -> Iterator[tuple[str, list]]:
    """``(kind, mutated tree)`` for each coefficient, index and limit of ``tree``."""
    op = tree[0]
    if op == "int":
        yield "coefficient", ["int", str(int(tree[1]) + 1)]
        return
    if op == "rat":
        yield "coefficient", ["rat", str(int(tree[1]) + int(tree[2])), tree[2]]
        return
    if op == "sym":
        return
    if op == "idx":
        for k in range(2, len(tree)):
            edited = copy(tree)
            edited[k] = ["add", tree[k], _one("1")]
            yield "index", edited
        children = range(2, len(tree))
    elif op in ("sum", "prod"):
        for k, kind in ((2, "lower limit"), (3, "upper limit")):
            edited = copy(tree)
            edited[k] = ["add", tree[k], _one("1")]
            yield kind, edited
        children = range(2, 5)
    else:
        children = range(1, len(tree))
    for k in children:
        for kind, sub in expression_edits(tree[k]):
            edited = copy(tree)
            edited[k] = sub
            yield kind, edited


def _pick(edits: list, limit: int) -> list:
    """At most ``limit`` edits per kind, spread over the tree (first, last, middle, ...)."""
    by_kind: dict[str, list] = {}
    for kind, tree in edits:
        by_kind.setdefault(kind, []).append(tree)
    out = []
    for kind, trees in sorted(by_kind.items()):
        picks = sorted({0, len(trees) - 1, len(trees) // 2, len(trees) // 3})[:limit]
        out += [(kind, trees[i]) for i in picks]
    return out


def _set_rhs(cert: dict, s: int, t: int, new: list) -> None:
    section = cert["sections"][s]
    step = section["steps"][t]
    old = step["rhs"]
    step["rhs"] = new
    if t + 1 < len(section["steps"]) and section["steps"][t + 1]["continued"]:
        section["steps"][t + 1]["lhs"] = new
    claim = section.get("claim")
    if t == len(section["steps"]) - 1 and claim is not None and claim["rhs"] == old:
        for result in cert["results"]:
            if result["lhs"] == claim["lhs"] and result["rhs"] == old:
                result["rhs"] = new
        claim["rhs"] = new


def mutants(cert: dict, *, per_kind: int = 2, max_steps: int = 24) -> Iterator[tuple[str, dict]]:
    """Every mutant of ``cert`` (bounded: ``per_kind`` edits of each kind per step, at most
    ``max_steps`` steps spread over the certificate)."""
    places = [(s, t) for s, sec in enumerate(cert["sections"]) for t in range(len(sec["steps"]))]
    if len(places) > max_steps:
        stride = len(places) / max_steps
        places = [places[int(i * stride)] for i in range(max_steps)]
    for number, (s, t) in enumerate(places):
        step = cert["sections"][s]["steps"][t]
        where = f"section {s + 1} step {t + 1} ({step['rule']})"
        for kind, new in _pick(list(expression_edits(step["rhs"])), per_kind):
            m = copy(cert)
            _set_rhs(m, s, t, new)
            yield f"{kind} @ {where} rhs", m
        if not step["continued"]:
            for kind, new in _pick(list(expression_edits(step["lhs"])), per_kind):
                m = copy(cert)
                m["sections"][s]["steps"][t]["lhs"] = new
                yield f"{kind} @ {where} lhs", m
        others = [r for r in RULE_NAMES if r != step["rule"]]
        for rule in (others[number % len(others)], others[(number + 4) % len(others)]):
            m = copy(cert)
            m["sections"][s]["steps"][t]["rule"] = rule
            yield f"rule name -> {rule!r} @ {where}", m
        yield from _citation_mutants(cert, s, t, where)
        if "instance" in step:
            for key, value in sorted(step["instance"]["values"].items())[:1]:
                m = copy(cert)
                m["sections"][s]["steps"][t]["instance"]["values"][key] = [
                    "int",
                    str(int(value[1]) + 1),
                ]
                yield f"instance value @ {where}", m
            m = copy(cert)
            inst = m["sections"][s]["steps"][t]["instance"]
            inst["quantity"] = {"rf": "jump", "jump": "padding", "padding": "rf"}[inst["quantity"]]
            yield f"instance quantity @ {where}", m
    yield from _structure_mutants(cert)


def _citation_mutants(cert: dict, s: int, t: int, where: str) -> Iterator[tuple[str, dict]]:
    step = cert["sections"][s]["steps"][t]
    ids = [f"definition:{i + 1}" for i in range(len(cert["definitions"]))]
    for c, cite in enumerate(step["cites"]):
        if cite["fact"] in ids and len(ids) > 1:
            m = copy(cert)
            m["sections"][s]["steps"][t]["cites"][c]["fact"] = ids[
                (ids.index(cite["fact"]) + 1) % len(ids)
            ]
            yield f"citation fact id @ {where} cite {c + 1}", m
        for var, value in sorted(cite["bind"].items())[:1]:
            m = copy(cert)
            m["sections"][s]["steps"][t]["cites"][c]["bind"][var] = ["add", value, _one("1")]
            yield f"citation binding @ {where} cite {c + 1}", m
        if cite["bind"] or cite["fact"] != "hypothesis":
            m = copy(cert)
            del m["sections"][s]["steps"][t]["cites"][c]
            if m["sections"][s]["steps"][t]["cites"] or step["rule"] != "algebraic simplification":
                yield f"citation dropped @ {where} cite {c + 1}", m
        symbols = sorted(cert["symbols"])
        extra = next((x for x in symbols if x not in cite["bind"]), None)
        if extra is not None:
            m = copy(cert)
            m["sections"][s]["steps"][t]["cites"][c]["bind"][extra] = [
                "add",
                ["sym", extra],
                _one("1"),
            ]
            yield f"citation binds the non-variable {extra} @ {where} cite {c + 1}", m


def _structure_mutants(cert: dict) -> Iterator[tuple[str, dict]]:
    sections = cert["sections"]
    for s in range(len(sections) - 1):
        m = copy(cert)
        m["sections"][s], m["sections"][s + 1] = m["sections"][s + 1], m["sections"][s]
        yield f"section order: swap {s + 1} and {s + 2}", m
    for d, definition in enumerate(cert["definitions"]):
        for kind, new in _pick(list(expression_edits(definition["rhs"])), 1):
            m = copy(cert)
            m["definitions"][d]["rhs"] = new
            yield f"definition {kind} @ definition:{d + 1}", m
    if len(cert["definitions"]) > 1:
        m = copy(cert)
        m["definitions"].append(
            dict(copy(cert["definitions"][0]), id=f"definition:{len(cert['definitions']) + 1}")
        )
        m["definitions"][-1]["rhs"] = ["add", m["definitions"][-1]["rhs"], _one("1")]
        yield "definition: a second, conflicting definition of definition:1's object", m
    for r, result in enumerate(cert["results"]):
        for kind, new in _pick(list(expression_edits(result["rhs"])), 1):
            m = copy(cert)
            m["results"][r]["rhs"] = new
            yield f"result {kind} @ result {r + 1}", m
    for s, section in enumerate(sections):
        table = section.get("table")
        if table:
            for row in sorted({0, len(table["rows"]) - 1}):
                for c, cell in enumerate(table["rows"][row]):
                    if cell[0] in ("int", "rat"):
                        m = copy(cert)
                        m["sections"][s]["table"]["rows"][row][c] = (
                            ["int", str(int(cell[1]) + 1)]
                            if cell[0] == "int"
                            else ["rat", str(int(cell[1]) + 1), cell[2]]
                        )
                        yield f"table cell @ section {s + 1} row {row + 1} column {c + 1}", m
                        break
            points = table["source"].get("points") or []
            if points and points[0]:
                key = sorted(points[0])[0]
                m = copy(cert)
                value = m["sections"][s]["table"]["source"]["points"][0][key]
                m["sections"][s]["table"]["source"]["points"][0][key] = [
                    "int",
                    str(int(value[1]) + 1),
                ]
                yield f"table source point @ section {s + 1}", m
            m = copy(cert)
            m["sections"][s]["table"]["rows"] = m["sections"][s]["table"]["rows"][:-1]
            yield f"table row dropped @ section {s + 1}", m
        claim = section.get("claim")
        if claim is not None:
            mentioned = free(claim["lhs"]) | free(claim["rhs"])
            for x in sorted(mentioned - set(claim["variables"]))[:3]:
                m = copy(cert)
                m["sections"][s]["claim"]["variables"].append(x)
                yield f"claim generalised over {x} @ section {s + 1}", m
    if cert["induction"] is not None:
        m = copy(cert)
        m["induction"]["base"] = ["add", m["induction"]["base"], _one("1")]
        yield "induction base + 1", m
        m = copy(cert)
        m["induction"]["statement"]["variables"].append(cert["induction"]["variable"])
        yield "induction statement generalised over its variable", m
    for n, network in enumerate(cert["networks"]):
        layer = network["layers"][-1]
        m = copy(cert)
        m["networks"][n]["layers"][-1]["kernel_size"] = ["add", layer["kernel_size"], _one("1")]
        yield f"network {n} last kernel size + 1", m
    for n in range(len(cert["lemmas"])):
        m = copy(cert)
        m["lemmas"][n]["sha256"] = "0" * 64
        yield f"lemma {n + 1} hash", m
        m = copy(cert)
        m["lemmas"][n]["certificate"]["title"] += " (edited)"
        yield f"lemma {n + 1} certificate edited", m
