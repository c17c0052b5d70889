"""The sentence encoder runs each text alone (int8 activation scales per tensor would otherwise make a
sentence's vector depend on the others in its padded batch; issue 12)."""

import numpy as np

from proplens.compare.encoder import SentenceEncoder


def test_a_sentence_gets_the_same_vector_whatever_it_is_embedded_with():
    enc = SentenceEncoder()
    s = "The minister said the reckless plan would destroy thousands of jobs."
    others = ["Yes.", "Prices rose sharply for the third month in a row, the agency reported on Tuesday " * 3]
    alone = enc([s])[0]
    with_others = enc([others[0], s, others[1]])[1]
    assert np.array_equal(alone, with_others)
    assert abs(float(np.linalg.norm(alone)) - 1.0) < 1e-3
