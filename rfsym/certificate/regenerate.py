"""The certificates shipped in ``derivations/certificates/``: one per derivation in
``derivations/`` (theorems, seed, networks), written by :func:`main`.

    python -m rfsym.certificate.regenerate [DIR]      # DIR defaults to ./derivations

:func:`certificates` builds them in memory; ``tests/certificate/test_shipped.py`` compares them
byte for byte with the stored files and re-verifies every stored one.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from rfsym.certificate.export import to_certificate
from rfsym.printers.regenerate import derivations

__all__ = ["FOLDER", "certificates", "main"]

FOLDER = "certificates"
"""The sub-folder of ``derivations/`` the certificates live in."""


def certificates(root: Path) -> dict[str, str]:
    """``"theorems/rf.json"``-style relative path (under ``certificates/``) -> certificate text."""
    return {f"{stem}.json": to_certificate(checked) for stem, checked in derivations(root).items()}


def main(argv: Sequence[str] | None = None) -> int:
    """Write the certificates under ``DIR/certificates`` and remove stale ones."""
    args = list(sys.argv[1:] if argv is None else argv)
    root = Path(args[0] if args else "derivations")
    files = certificates(root)
    target = root / FOLDER
    for old in target.rglob("*.json") if target.is_dir() else ():
        if old.relative_to(target).as_posix() not in files:
            old.unlink()
    for relative, text in sorted(files.items()):
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    print(f"wrote {len(files)} certificates under {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
