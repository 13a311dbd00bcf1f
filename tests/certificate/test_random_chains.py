"""Random chains (every layer kind, numeric or symbolic, user symbols named like the
derivation's own): the kernel's derivation exports a certificate the re-checker verifies, and
the certificate stops verifying when its closed form is off by one."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from rfsym.certificate.export import certificate
from rfsym.certificate.verify import CertificateError, verify
from rfsym.model.chain import Chain
from rfsym.model.layers import Conv
from rfsym.model.params import nonnegative_symbol, positive_symbol
from rfsym.proof.check import check
from rfsym.proof.network import derive_chain
from rfsym.testing import chains


def _round_trip(chain: Chain) -> dict:
    cert = certificate(check(derive_chain(chain)))
    assert verify(json.loads(json.dumps(cert))).steps > 0
    return cert


def _off_by_one(cert: dict) -> None:
    section = next(s for s in cert["sections"] if s["heading"] == "Receptive field")
    section["steps"][-1]["rhs"] = ["add", section["steps"][-1]["rhs"], ["int", "1"]]
    section["claim"]["rhs"] = section["steps"][-1]["rhs"]
    try:
        verify(cert)
    except CertificateError:
        return
    raise AssertionError("an off-by-one closed form was accepted")


@settings(max_examples=25)
@given(chains(min_layers=1, max_layers=5))
def test_random_chains_verify_and_a_wrong_closed_form_does_not(chain):
    _off_by_one(_round_trip(chain))


@settings(max_examples=15)
@given(chains(min_layers=1, max_layers=4, symbolic=True))
def test_random_symbolic_chains_verify(chain):
    _off_by_one(_round_trip(chain))


NAMES = st.sampled_from(["r", "S", "P", "r_1", "S_0", "P_2", "r'", "k"])


@settings(max_examples=15)
@given(NAMES, NAMES, st.integers(1, 3))
def test_user_symbols_named_like_the_derivations_own(kernel, stride, depth):
    if kernel == stride:
        return
    k, s, p = positive_symbol(kernel), positive_symbol(stride), nonnegative_symbol("p_pad")
    _round_trip(Chain(layers=(Conv(kernel_size=k, stride=s, padding=p),) * depth))
