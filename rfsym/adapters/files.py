"""Load a network from a model file by its extension, for the CLI (``rfsym report model.onnx``).

Only formats that can be read without running user code are accepted: ``.onnx`` (with the
``onnx`` extra).  PyTorch checkpoints are pickles that run code when loaded, so torch models go
through :func:`rfsym.adapters.torch.from_torch` in Python instead.

>>> is_model_file("net.onnx"), is_model_file("net.json")
(True, False)
"""

from __future__ import annotations

import os

from rfsym.adapters.result import Imported
from rfsym.errors import SpecError

__all__ = ["MODEL_SUFFIXES", "is_model_file", "load_model"]

MODEL_SUFFIXES = (".onnx",)
"""File name endings :func:`load_model` reads."""


def is_model_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` names a framework model file (by its extension)."""
    return os.fspath(path).lower().endswith(MODEL_SUFFIXES)


def load_model(path: str | os.PathLike[str], *, passthrough: bool = False) -> Imported:
    """Read a model file into an :class:`~rfsym.adapters.result.Imported` graph.

    Raises:
        SpecError: an extension that is not a model format, or a corrupt file.
        MissingDependencyError: the extra for the format is not installed (the message gives the
            install command).
    """
    name = os.fspath(path)
    if name.lower().endswith(".onnx"):
        from rfsym.adapters.onnx import from_onnx

        return from_onnx(name, passthrough=passthrough)
    raise SpecError(
        f"{name}: not a model file rfsym reads; model files end in {', '.join(MODEL_SUFFIXES)} "
        "(torch models: use rfsym.adapters.torch.from_torch in Python)"
    )
