"""Write MODEL_CARD.md for a model folder from its config.json and metrics.json (+ optional extra JSON facts).

    python scripts/write_model_card.py src/proplens/models/default [--extra facts.json]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model_dir", type=Path)
    ap.add_argument("--extra", type=Path, help="JSON with keys: training_command, speed, notes (list)")
    a = ap.parse_args()
    cfg = json.loads((a.model_dir / "config.json").read_text())
    met = json.loads((a.model_dir / "metrics.json").read_text())["validation"]
    extra = json.loads(a.extra.read_text()) if a.extra else {}
    size = sum(f.stat().st_size for f in a.model_dir.iterdir() if f.is_file()) / 1e6
    lines = [
        f"# Model card: {cfg['name']} {cfg['version']}",
        "",
        "Finds and labels propaganda techniques (the 14 PTC / SemEval-2020 Task 11 classes) in English news text.",
        "",
        "## Model",
        f"- Base encoder: {cfg['base_encoder']} (6 layers, 384 hidden, lowercase WordPiece; sha256 of model.safetensors checked when training).",
        "- Heads, one encoder pass: BIO span tagger (3 classes), per-token technique tagger (14 sigmoids), and a span classifier "
        "(MLP over [CLS, mean, first, last] hidden states of the span's most central window + 8 text facts: length, how often "
        "the phrase recurs in the article, ?, !, quotes, capitals, single word).",
        f"- Windows of {cfg['window_size']} tokens, stride {cfg['window_stride']}; token probabilities averaged where windows overlap; "
        "offsets mapped back through the tokenizer's character offsets into the original string.",
        f"- Runtime: ONNX ({cfg.get('quantization')}), {size:.1f} MB for the whole folder; no torch needed.",
        f"- Decoding (tuned on validation with this ONNX file): `{json.dumps(cfg['decode'])}`.",
        "",
        "## Data",
        "- PTC v2 training split (371 articles, 6,128 technique spans; research use only, not in this repository).",
        f"- Validation: {met['n_articles']} articles held out by article with a fixed seed "
        f"(ids in `metrics.json` → `validation_ids`), {met['n_gold_spans']} gold spans. Training: the other "
        f"{cfg.get('trained_on', {}).get('n_train_articles', '?')} articles.",
        "",
        "## Training",
        "```",
        extra.get("training_command", "proplens train --data ../shared/data/ptc-train --out MODEL_DIR"),
        "```",
        f"Hyper-parameters: `{json.dumps(cfg.get('trained_on', {}).get('hyperparameters', {}))}`",
        "",
        "## Measured on the validation split (int8 ONNX, as shipped)",
        "",
        "| task | P | R | F1 |",
        "|---|---|---|---|",
        f"| SI (span identification) | {met['si']['precision']:.3f} | {met['si']['recall']:.3f} | **{met['si']['f1']:.3f}** |",
        f"| TC (technique of given spans, micro-F1) | | | **{met['tc']['f1']:.3f}** |",
        f"| End-to-end (spans + techniques) | {met['e2e']['precision']:.3f} | {met['e2e']['recall']:.3f} | **{met['e2e']['f1']:.3f}** |",
        "",
        "Per technique (TC on gold spans; end-to-end F1):",
        "",
        "| technique | gold spans | TC P | TC R | TC F1 | E2E F1 |",
        "|---|---|---|---|---|---|",
    ]
    for t, m in met["tc"]["per_technique"].items():
        e = met.get("e2e_per_technique", {}).get(t, {"f1": float("nan")})
        lines.append(f"| {t} | {m['n_gold']} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {e['f1']:.3f} |")
    lines += ["", "Command: `" + extra.get("eval_command", "proplens ptc evaluate VAL_ARTICLES --gold-tc VAL_GOLD --model MODEL_DIR") + "`", ""]
    if extra.get("speed"):
        lines += ["## Speed and memory", "", extra["speed"], ""]
    lines += ["## Limits", ""]
    lines += [f"- {n}" for n in extra.get("notes", [])]
    lines += [
        "- Trained on 2017-2019 English news from a particular set of outlets; other genres, languages and eras will do worse.",
        "- Lowercase-only encoder: capitalisation (e.g. ALL-CAPS slogans) is visible only through one text feature.",
        "- Rare techniques (thought-terminating clichés, bandwagon, whataboutism, black-and-white fallacy) are recognised "
        "far less reliably than loaded language and name calling; read low-confidence spans as suggestions.",
        "- A highlighted span is a claim about rhetoric, not about truth: proplens does not fact-check.",
        "",
    ]
    (a.model_dir / "MODEL_CARD.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {a.model_dir / 'MODEL_CARD.md'}")


if __name__ == "__main__":
    main()
