"""A spaCy pipeline component: ``nlp.add_pipe("proplens")`` fills ``doc.spans["proplens"]``.

Install with the ``[spacy]`` extra. Spans are technique-labelled; displaCy renders them with
``displacy.render(doc, style="span", options={"spans_key": "proplens"})``. Character spans that do not
align with spaCy tokens are expanded to token boundaries (``alignment_mode="expand"``).
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from .analyzer import Analyzer

SPANS_KEY = "proplens"


class ProplensComponent:
    """Doc -> Doc: runs the proplens analyzer on ``doc.text``."""

    def __init__(self, nlp: Language, name: str, model_dir: str | None, spans_key: str, attribution: bool):
        self.name = name
        self.spans_key = spans_key
        self.analyzer = Analyzer(model_dir, attribution="auto" if attribution else False)

    def __call__(self, doc: Doc) -> Doc:
        if not doc.text.strip():
            doc.spans[self.spans_key] = []
            return doc
        analysis = self.analyzer(doc.text)
        spans = []
        for s in analysis.spans:
            span = doc.char_span(s.start, s.end, label=s.technique, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[self.spans_key] = spans
        doc.user_data["proplens_score"] = analysis.score
        return doc

    def pipe(self, docs, batch_size: int = 8):
        for doc in docs:
            yield self(doc)


@Language.factory(
    "proplens",
    default_config={"model_dir": None, "spans_key": SPANS_KEY, "attribution": False},
    assigns=["doc.spans"],
)
def make_proplens_component(
    nlp: Language, name: str, model_dir: Any, spans_key: str, attribution: bool
) -> ProplensComponent:
    return ProplensComponent(nlp, name, model_dir, spans_key, attribution)
