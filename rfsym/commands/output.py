"""Writing the CLI's output files: never over an input, atomically, and saying what was written.

``rfsym derive spec.json -o spec.json`` once replaced the spec by its derivation.  Every command
that writes a file goes through this module: :func:`write_output` for text or bytes a command
holds, :func:`output_path` for a library that writes the file itself (a plot).  Both

- refuse a path that is one of the command's inputs (same file, however it is spelt);
- write to a temporary file beside the target and ``os.replace`` it, so a reader never sees a
  half-written file and a failure leaves the old file as it was;
- print ``rfsym: wrote PATH (N bytes)`` on stderr.

``-`` means standard output.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> spec = folder / "spec.json"
>>> _ = spec.write_text("{}")
>>> write_output(spec, "derivation", inputs=[str(spec)])
Traceback (most recent call last):
  ...
rfsym.errors.OutputError: refusing to write .../spec.json: it is an input of this command (choose another -o FILE)
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from rfsym.errors import OutputError

__all__ = ["output_path", "write_output"]


def _same_file(target: Path, inputs: Iterable[str | os.PathLike[str]]) -> bool:
    for item in inputs:
        if item is None or os.fspath(item) == "-":
            continue
        source = Path(item)
        try:
            if target.exists() and source.exists() and os.path.samefile(target, source):
                return True
        except OSError:
            pass
        if target.resolve() == source.resolve():
            return True
    return False


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def output_path(
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    quiet: bool = False,
) -> Iterator[Path]:
    """A temporary path to write ``path``'s content to; moved into place when the block ends.

    If the block raises, the temporary file is removed and ``path`` is left as it was.

    Raises:
        OutputError: ``path`` is one of ``inputs``, its folder does not exist, or it cannot be
            written; the message names the path.
    """
    target = Path(path)
    if _same_file(target, [i for i in inputs if i is not None]):
        raise OutputError(
            f"refusing to write {target}: it is an input of this command (choose another -o FILE)"
        )
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: the folder {folder} does not exist")
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder")
    try:
        handle, temporary = tempfile.mkstemp(
            dir=folder, prefix=f".{target.name}.", suffix=target.suffix or ".tmp"
        )
        os.close(handle)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        os.chmod(temporary_path, 0o666 & ~_umask())  # mkstemp makes it private
        os.replace(temporary_path, target)
    except OutputError:
        raise
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    finally:
        if temporary_path.exists():
            temporary_path.unlink()
    if not quiet:
        print(f"rfsym: wrote {target} ({target.stat().st_size} bytes)", file=sys.stderr)


def write_output(
    path: str | os.PathLike[str],
    data: str | bytes | Iterable[str],
    *,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Write ``data`` (text, bytes, or an iterable of text chunks) to ``path``; ``-`` is stdout.

    Text is UTF-8 with ``\\n`` line ends.  See :func:`output_path` for the guarantees.

    Raises:
        OutputError: see :func:`output_path`.
    """
    if os.fspath(path) == "-":
        if isinstance(data, bytes):
            sys.stdout.buffer.write(data)
        else:
            for chunk in [data] if isinstance(data, str) else data:
                sys.stdout.write(chunk)
        return
    with output_path(path, inputs=inputs) as temporary:
        if isinstance(data, bytes):
            temporary.write_bytes(data)
        else:
            with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
                for chunk in [data] if isinstance(data, str) else data:
                    handle.write(chunk)
