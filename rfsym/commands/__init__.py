"""Subcommands of the ``rfsym`` CLI, one module each (see :mod:`rfsym.cli`)."""
