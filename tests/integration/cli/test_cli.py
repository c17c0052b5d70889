"""The CLI as users run it: real processes, real model, files written by hand."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXE = [sys.executable, "-m", "proplens.cli.app"]


def run(*args, input=None):
    return subprocess.run([*EXE, *args], capture_output=True, input=input, timeout=300)


@pytest.fixture(scope="module")
def ptc_dir(tmp_path_factory):
    sample = (Path(__file__).resolve().parents[3] / "examples" / "sample_article.txt").read_text(
        encoding="utf-8"
    )
    d = tmp_path_factory.mktemp("ptc")
    (d / "article1001.txt").write_text(sample, encoding="utf-8", newline="")
    (d / "article1002.txt").write_bytes(sample.replace("\n", "\r\n").encode())
    (d / "article1003.txt").write_text("", encoding="utf-8")
    i = sample.index("reckless and disastrous")
    j = sample.index("liars and thieves")
    k = sample.index("Every true patriot")
    gold = [
        f"1001\tLoaded_Language\t{i}\t{i + 23}",
        f"1001\tName_Calling,Labeling\t{j}\t{j + 17}",
        f"1001\tFlag-Waving\t{k}\t{k + 18}",
    ]
    (d / "gold.labels").write_text("\n".join(gold) + "\n")
    return d


def test_analyze_json_and_ptc(ptc_dir):
    r = run("analyze", str(ptc_dir / "article1001.txt"), "--format", "json", "--no-attribution")
    assert r.returncode == 0, r.stderr.decode()
    d = json.loads(r.stdout)
    text = (ptc_dir / "article1001.txt").read_text(encoding="utf-8")
    assert all(text[s["start"] : s["end"]] == s["text"] for s in d["spans"])
    r = run("analyze", str(ptc_dir / "article1001.txt"), "--format", "ptc", "--no-attribution")
    assert r.returncode == 0
    for line in r.stdout.decode().splitlines():
        art, tech, s, e = line.split("\t")
        assert art == "1001" and int(s) < int(e)


def test_analyze_stdin_text_output():
    r = run("analyze", "-", "--no-attribution", input=b"The reckless, corrupt regime lies to everyone.")
    assert r.returncode == 0
    assert b"Article score" in r.stdout


@pytest.mark.parametrize(
    "payload, msg",
    [
        (b"", b"[P001]"),
        (b"   \n", b"[P001]"),
        (b"\x00\x01\x02binary\x00", b"[P004]"),
        (b"abc\xff\xfe def", b"[P004]"),
    ],
)
def test_analyze_bad_input_is_one_clear_line(payload, msg):
    r = run("analyze", "-", input=payload)
    assert r.returncode == 1
    assert msg in r.stderr and b"Traceback" not in r.stderr


def test_ptc_predict_classify_evaluate(ptc_dir, tmp_path):
    out = tmp_path / "pred"
    r = run("ptc", "predict", str(ptc_dir), "--out", str(out))
    assert r.returncode == 0, r.stderr.decode()
    flc = (out / "flc.labels").read_text().splitlines()
    si = (out / "si.labels").read_text().splitlines()
    assert flc and si
    assert all(len(x.split("\t")) == 4 for x in flc) and all(len(x.split("\t")) == 3 for x in si)
    assert {x.split("\t")[0] for x in flc} <= {"1001", "1002"}

    spans = tmp_path / "spans.labels"
    rows = (ptc_dir / "gold.labels").read_text().splitlines()
    spans.write_text("\n".join("\t".join([r.split("\t")[0], "?", *r.split("\t")[2:]]) for r in rows) + "\n")
    r = run("ptc", "classify", str(ptc_dir), str(spans), "--out", str(tmp_path / "tc.labels"))
    assert r.returncode == 0, r.stderr.decode()
    got = (tmp_path / "tc.labels").read_text().splitlines()
    assert [g.split("\t")[2:] for g in got] == [x.split("\t")[2:] for x in rows]
    assert all(g.split("\t")[1] != "?" for g in got)

    r = run("ptc", "evaluate", str(ptc_dir), "--gold-tc", str(ptc_dir / "gold.labels"), "--json")
    assert r.returncode == 0, r.stderr.decode()
    res = json.loads(r.stdout)
    for k in ("si", "tc", "e2e", "paragraph", "paragraph_from_spans"):
        assert 0.0 <= res[k]["f1"] <= 1.0
    assert set(res["tc"]["per_technique"]) >= {"Loaded_Language", "Flag-Waving"}


def test_ptc_malformed_labels_are_reported(ptc_dir, tmp_path):
    bad = tmp_path / "bad.labels"
    bad.write_text("1001\tLoaded_Language\t10\t999999\n")
    r = run("ptc", "evaluate", str(ptc_dir), "--gold-tc", str(bad))
    assert r.returncode == 1 and b"[P007]" in r.stderr and b"Traceback" not in r.stderr
    r = run("ptc", "classify", str(ptc_dir), str(tmp_path / "missing.labels"), "--out", str(tmp_path / "x"))
    assert r.returncode == 1 and b"P011" in r.stderr


def test_techniques_json():
    r = run("techniques", "--json")
    assert r.returncode == 0 and len(json.loads(r.stdout)) == 14
