import numpy as np

from retainkit.clv._base import compress


def test_compress_groups_identical_rows():
    x = np.array([0, 1, 1, 0, 1])
    t = np.array([5.0, 2.0, 2.0, 5.0, 3.0])
    c = compress([x, t])
    got = sorted(zip(*[v.tolist() for v in c.unique_rows], c.weights.tolist(), strict=True))
    # (0, 5) twice, (1, 2) twice, (1, 3) once
    assert got == [(0.0, 5.0, 2.0), (1.0, 2.0, 2.0), (1.0, 3.0, 1.0)]
