"""Symbol hygiene: the derivation's own names (r_i, S_i, P_i, J_i, u) never collide with the
user's symbols (issue 10: a user symbol ``P_1`` made ``P_1 = P_0 + S_0`` print and then be
used).  The derivation renames its names with primes instead."""

import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from rfsym.model.chain import Chain
from rfsym.model.layers import Conv
from rfsym.model.params import nonnegative_symbol, positive_symbol
from rfsym.numeric.fold import fold
from rfsym.printers import to_text
from rfsym.proof.check import check
from rfsym.proof.instantiate import numeric_layers
from rfsym.proof.network import derivation_names, derive_chain

OWN = ["r", "S", "P", "J", "u", "v", "r'", "S'"]
names = st.builds(
    lambda base, index: base if index is None else f"{base}_{index}",
    st.sampled_from(OWN),
    st.none() | st.integers(0, 4),
)


@given(kernel=names, stride=names, pad=names, depth=st.integers(1, 3))
def test_user_symbols_never_collide_with_the_derivations_names(kernel, stride, pad, depth):
    k, s = positive_symbol(kernel), positive_symbol(stride)
    p = nonnegative_symbol(pad + "_pad") if pad == kernel else nonnegative_symbol(pad)
    if len({k.name, s.name, p.name}) < 3:
        return
    chain = Chain(layers=(Conv(kernel_size=k, stride=s, padding=p),) * depth)
    checked = check(derive_chain(chain))
    user = {x.name for x in chain.free_symbols}
    d = checked.derivation
    own = {eq.lhs.name for eq in d.definitions} | {x.name for x, _, _ in d.model.symbols}
    assert not own & user, own & user
    # a reader who substitutes the user's values into the printed closed form gets the fold's rf
    values = {k: 3, s: 2, p: 1}
    rf = next(f for f in checked.results if str(f.lhs).startswith(derivation_names(chain)["r"]))
    assert rf.rhs.free_symbols <= set(values), rf.rhs.free_symbols
    assert (
        rf.rhs.xreplace({x: sp.Integer(v) for x, v in values.items()})
        == fold(numeric_layers(chain, values)).rf
    )
    assert "rfsym" in to_text(checked)


def test_a_user_symbol_named_like_the_derivations_is_renamed_not_reused():
    P_1 = nonnegative_symbol("P_1")
    chain = Chain(layers=(Conv(kernel_size=3, stride=2, padding=P_1),) * 2)
    text = to_text(check(derive_chain(chain)))
    assert "P'_1 := P'_0 + P_1*S_0" in text
    assert "P_1 = P_0" not in text
    assert derivation_names(chain) == {"r": "r", "S": "S", "P": "P'", "u": "u"}
