"""Regenerate ``derivations/``: every general theorem, the seed, and each spec in
``derivations/specs/``, in every format.

    python -m rfsym.printers.regenerate [DIR]      # DIR defaults to ./derivations

:func:`documents` builds the files in memory (the golden test compares them byte for byte with
the stored ones; ``pytest --update-derivations`` rewrites them).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from rfsym.errors import GraphError
from rfsym.model.chain import Chain
from rfsym.model.spec import load_spec
from rfsym.printers import FORMATS
from rfsym.proof.check import check
from rfsym.proof.network import derive_chain, seed_derivation
from rfsym.proof.steps import CheckedDerivation
from rfsym.proof.theorems import THEOREMS, theorem

__all__ = ["GENERATED", "derivations", "documents", "main"]

GENERATED = ("theorems", "seed", "networks")
"""Sub-folders of ``derivations/`` that are generated (``specs/`` and the README are not)."""


def derivations(root: Path) -> dict[str, CheckedDerivation]:
    """``"folder/name"`` -> checked derivation, for everything ``derivations/`` holds."""
    out = {f"theorems/{name}": theorem(name) for name in THEOREMS}
    out["seed/seed"] = seed_derivation()
    for spec in sorted((root / "specs").glob("*.json")):
        network = load_spec(spec)
        if not isinstance(network, Chain):
            raise GraphError(f"{spec}: only chains have derivations")
        label = network.name or spec.stem
        out[f"networks/{spec.stem}"] = check(
            derive_chain(network, name=spec.stem, title=f"Receptive field of {label}")
        )
    return out


def documents(root: Path) -> dict[str, str]:
    """Relative path -> file contents, every derivation in every format."""
    files = {}
    for stem, checked in derivations(root).items():
        for printer, extension in FORMATS.values():
            files[f"{stem}.{extension}"] = printer(checked)
    return files


def main(argv: Sequence[str] | None = None) -> int:
    """Write the documents under ``DIR`` (default ``derivations``); remove stale ones."""
    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(args[0] if args else "derivations")
    files = documents(root)
    for folder in GENERATED:
        for old in (root / folder).glob("*") if (root / folder).is_dir() else ():
            if f"{folder}/{old.name}" not in files:
                old.unlink()
    for relative, text in sorted(files.items()):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {len(files)} files under {root}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
