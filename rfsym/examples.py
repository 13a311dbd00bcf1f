"""Built-in example networks: the seed document's worked examples.

>>> seed_example()
Chain(layers=(Conv(kernel_size=3, stride=2, name='conv1'), Conv(kernel_size=2, name='conv2')), name='seed')
"""

from __future__ import annotations

from rfsym.model.chain import Chain
from rfsym.model.layers import Conv

__all__ = ["seed_example", "stacked_3x3"]


def stacked_3x3(depth: int) -> Chain:
    """``depth`` convolutions 3x3, stride 1, no padding (the seed: 2 see 5x5, 3 see 7x7)."""
    return Chain(
        layers=tuple(Conv(kernel_size=3, name=f"conv{i}") for i in range(1, depth + 1)),
        name=f"{depth} x conv3x3",
    )


def seed_example() -> Chain:
    """The seed's 1-D worked example: conv1 kernel 3 stride 2, then conv2 kernel 2 stride 1."""
    return Chain(
        layers=(Conv(kernel_size=3, stride=2, name="conv1"), Conv(kernel_size=2, name="conv2")),
        name="seed",
    )
