"""The interactive receptive-field calculator served by ``rfsym serve`` (the ``web`` extra).

* :mod:`rfsym.web.view` -- what the page shows for a network (table, notes, forms, derivation);
* :mod:`rfsym.web.jobs` -- the requests the page makes, as pure functions of JSON;
* :mod:`rfsym.web.worker` -- runs the jobs in a separate process with a time bound;
* :mod:`rfsym.web.app` -- the Starlette application (imports starlette: the opt-in);
* ``static/`` -- the page: HTML, CSS and a script that lays out what the server computed.

The engine stays in Python: the page sends the spec and shows the strings it gets back.
Importing this package imports no web framework.
"""
