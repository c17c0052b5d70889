"""Train the attribution tagger on PolNeAR-format data (needs scikit-learn and spaCy).

Usage::

    python -m proplens.attribution.training TRAIN.jsonl [--docs TRAIN.spacy] [--out DIR] [--end-only]

Each line of TRAIN.jsonl is ``{"id", "text", "attributions": [{"source", "cue", "content"}]}`` with
character spans. The tagger's two learners are logistic regressions (saga, log loss) over hashed feature
strings (:mod:`proplens.attribution.features`); the result is ``attribution.npz`` in ``--out``.

``--alpha 1e-5`` was chosen by training on PolNeAR train minus its last 84 articles and scoring those 84
(alpha in {1e-6, 3e-6, 1e-5}). The thresholds (0.5, 0.5) were chosen with the decoding rules of
:mod:`~proplens.attribution.boundaries`: trained on the first 690 train articles, scored on the last 150
(cue and role thresholds 0.3-0.65; mean of partial source/cue/content F1, whole F1 and exact content F1).

The content-end classifier (:mod:`~proplens.attribution.content_end`) is a third logistic regression,
trained on the gold contents (``--end-only`` adds it to the weights file in ``--out`` and leaves the tagger
as it is). Its margin (2.0) was chosen like the thresholds: trained on the first 690 train articles,
scored with the decoding rules on the last 84 (margins 0, 1, 1.5, 2, 3; exact content F1 0.522 without it,
0.533-0.540 with it).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .content_end import candidates, end_features
from .features import N_FEATURES, cue_features, hash_features, pair_features, quote_mask
from .model import DEFAULT_MODEL_DIR

END_MARGIN = 2.0

__all__ = ["load_polnear", "parse_docs", "build_examples", "build_end_examples", "fit", "fit_end", "main"]


def load_polnear(path: str | Path) -> list[dict]:
    """Read a PolNeAR-format JSONL file into a list of dicts."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def parse_docs(texts, *, cache: str | Path | None = None):
    """Parse ``texts`` with the attribution spaCy pipeline, optionally caching a DocBin at ``cache``."""
    from spacy.tokens import DocBin

    from .pipeline import load_spacy

    nlp = load_spacy()
    if cache is not None and Path(cache).exists():
        return list(DocBin().from_disk(cache).get_docs(nlp.vocab))
    docs = list(nlp.pipe(texts, batch_size=16, n_process=1))
    if cache is not None:
        db = DocBin()
        for d in docs:
            db.add(d)
        db.to_disk(cache)
    return docs


def _tokens_in(doc, spans) -> list[int]:
    out: list[int] = []
    for s, e in spans:
        span = doc.char_span(s, e, alignment_mode="expand")
        if span is not None:
            out.extend(t.i for t in span if not t.is_space)
    return sorted(set(out))


def build_examples(docs, rows):
    """Feature rows and labels for the cue tagger and the role classifier from gold attributions."""
    cue_X, cue_y, role_X, role_y = [], [], [], []
    for doc, row in zip(docs, rows, strict=True):
        in_quote = quote_mask(doc)
        labels = [0] * len(doc)
        gold = []
        for a in row["attributions"]:
            cue = _tokens_in(doc, a["cue"])
            if not cue:
                continue
            labels[cue[0]] = 1
            for i in cue[1:]:
                labels[i] = 2
            gold.append((cue, set(_tokens_in(doc, a["source"])), set(_tokens_in(doc, a["content"]))))
        for f, y in zip(cue_features(doc, in_quote), labels, strict=True):
            cue_X.append(hash_features(f))
            cue_y.append(y)
        cue_set = {i for c, _, _ in gold for i in c}
        for cue, src, cont in gold:
            sent = doc[cue[0]].sent
            for tok, f in zip(sent, pair_features(doc, cue, sent, in_quote, cue_set), strict=True):
                if tok.i in cue_set or tok.is_space:
                    continue
                role_X.append(hash_features(f))
                role_y.append(1 if tok.i in src else 2 if tok.i in cont else 0)
    return cue_X, np.array(cue_y), role_X, np.array(role_y)


def build_end_examples(docs, rows):
    """Feature rows of the content-end classifier (one per candidate end, label 1 at the gold end) from
    the gold attributions whose content the decoder applies to (:func:`~.content_end.candidates`)."""
    X, y = [], []
    for doc, row in zip(docs, rows, strict=True):
        gold = [
            (_tokens_in(doc, a["cue"]), _tokens_in(doc, a["source"]), _tokens_in(doc, a["content"]))
            for a in row["attributions"]
        ]
        for k, (cue, _, content) in enumerate(gold):
            others = {i for j, g in enumerate(gold) if j != k for part in g for i in part}
            cands = candidates(doc, cue, content, others)
            if len(cands) < 2:
                continue
            end = max(content)
            for j, f in zip(cands, end_features(doc, cue, min(content), cands), strict=True):
                X.append(hash_features(f))
                y.append(int(j == end))
    return X, np.array(y)


def fit_end(rows_X, y, *, C: float = 1.0):
    """Fit the content-end classifier (binary logistic regression, liblinear); returns (W, b)."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C, solver="liblinear", max_iter=200)
    clf.fit(_sparse(rows_X), y)
    return clf.coef_[0].astype(np.float32), np.float32(clf.intercept_[0])


def _sparse(rows):
    from scipy.sparse import csr_matrix

    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    data = np.ones(len(indices), dtype=np.float32)
    m = csr_matrix((data, indices, indptr), shape=(len(rows), N_FEATURES))
    m.sum_duplicates()
    return m


def fit(rows_X, y, *, alpha: float = 1e-5, epochs: int = 15, seed: int = 0):
    """Fit a multinomial logistic regression on hashed rows; returns (W, b), W of shape (N_FEATURES, 3)."""
    from sklearn.linear_model import LogisticRegression

    X = _sparse(rows_X)
    clf = LogisticRegression(
        C=1.0 / (alpha * X.shape[0]), solver="saga", max_iter=epochs, tol=1e-4, random_state=seed
    )
    clf.fit(X, y)
    return clf.coef_.T.astype(np.float32), clf.intercept_.astype(np.float32)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Train the proplens attribution tagger.")
    parser.add_argument("train")
    parser.add_argument("--docs", help="DocBin cache of the parsed training texts")
    parser.add_argument("--out", default=str(DEFAULT_MODEL_DIR))
    parser.add_argument(
        "--alpha", type=float, default=1e-5, help="L2 strength (chosen on a held-out slice of train)"
    )
    parser.add_argument(
        "--cue-threshold",
        type=float,
        default=0.5,
        help="chosen on held-out train articles with the decoding rules",
    )
    parser.add_argument("--role-threshold", type=float, default=0.5)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument(
        "--end-margin", type=float, default=END_MARGIN, help="content-end margin (chosen on held-out train)"
    )
    parser.add_argument(
        "--end-only", action="store_true", help="add the content-end classifier to --out's weights file"
    )
    parser.add_argument("--first", type=int, help="train on the first N articles only (a held-out rest)")
    args = parser.parse_args(argv)
    import warnings

    rows = load_polnear(args.train)
    docs = parse_docs([r["text"] for r in rows], cache=args.docs)
    if args.first:
        rows, docs = rows[: args.first], docs[: args.first]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "attribution.npz"
    end_X, end_y = build_end_examples(docs, rows)
    print(f"content-end rows {len(end_y):,}", flush=True)
    end_W, end_b = fit_end(end_X, end_y)
    if args.end_only:
        with np.load(path) as z:
            weights = {k: z[k] for k in z.files}
    else:
        cue_X, cue_y, role_X, role_y = build_examples(docs, rows)
        print(f"cue rows {len(cue_y):,}  role rows {len(role_y):,}", flush=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cue_W, cue_b = fit(cue_X, cue_y, alpha=args.alpha, epochs=args.epochs)
            print("cue tagger fitted", flush=True)
            role_W, role_b = fit(role_X, role_y, alpha=args.alpha, epochs=args.epochs)
        weights = {
            "cue_W": cue_W.astype(np.float16),
            "cue_b": cue_b,
            "role_W": role_W.astype(np.float16),
            "role_b": role_b,
            "cue_threshold": np.float32(args.cue_threshold),
            "role_threshold": np.float32(args.role_threshold),
        }
    weights.update(end_W=end_W, end_b=end_b, end_margin=np.float32(args.end_margin))
    np.savez_compressed(path, **weights)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
