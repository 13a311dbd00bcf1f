"""Adapters: a framework's model -> an rfsym :class:`~rfsym.model.graph.Graph` + diagnostics.

One module per framework, each importing its framework at the top, so importing the module is
the opt-in and a missing extra raises :class:`~rfsym.errors.MissingDependencyError` with the
exact install command:

* ``from rfsym.adapters.torch import from_torch`` (``pip install 'rfsym[torch]'``);
* ``from rfsym.adapters.onnx import from_onnx`` (``pip install 'rfsym[onnx]'``).

Adapters translate, they do not compute: the result is an :class:`~rfsym.adapters.result.Imported`
record holding the graph (node names are the user's module paths or ONNX node names), whether it
is ``partial`` (an unknown module was passed through, or part of the model was recorded with
hooks instead of traced) and the ``diagnostics`` that say why.  Analyse the graph with
:func:`rfsym.algebra.graph.analyse`.  ``docs/adapters.md`` lists what each adapter maps and what
it refuses.
"""
