"""An autouse fixture: a test module that imports it runs with one torch thread (restored).

(A helper module, not a conftest.py: pytest collects conftest files as doctest modules, and two
of them with one basename clash.)

The probes use small tensors; on a machine whose cores are shared, torch's default of one
thread per core made a 1 s probe take 17 s (thread oversubscription).
"""

from __future__ import annotations

import sys

import pytest


@pytest.fixture(autouse=True)
def one_torch_thread():
    torch = sys.modules.get("torch")
    if torch is None:
        yield
        return
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
