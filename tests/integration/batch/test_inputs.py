"""Batch input readers: every format, and bad rows that become errors instead of stopping the batch."""

from __future__ import annotations

import csv
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from proplens.batch import open_input
from proplens.errors import InputFileError


def test_open_input_folder_txt_html_and_bad_files(tmp_path):
    d = tmp_path / "docs"
    (d / "sub").mkdir(parents=True)
    (d / "a.txt").write_text("A reckless plan.", encoding="utf-8")
    (d / "sub" / "b.html").write_text(
        "<html><title>B</title><body><p>The puppet.</p><script>x()</script></body></html>"
    )
    (d / "bad.txt").write_bytes(b"caf\xe9 au lait")
    (d / "empty.txt").write_text("   \n")
    (d / "big.txt").write_text("x" * 500)
    (d / "ignored.pdf").write_bytes(b"%PDF")
    recs = list(open_input(d, max_chars=100))
    assert [r.key for r in recs] == ["a", "bad", "big", "empty", "sub/b"]
    by = {r.key: r for r in recs}
    assert by["a"].text == "A reckless plan." and by["a"].error is None
    assert by["sub/b"].html.startswith("<html>")
    assert "invalid UTF-8" in by["bad"].error and by["bad"].error.startswith("[P019]")
    assert "larger than the limit" in by["big"].error
    assert by["empty"].error is None  # emptiness is checked by the worker (P001)
    assert open_input(d).count() == 5


def test_open_input_jsonl_malformed_lines(tmp_path):
    p = tmp_path / "f.jsonl"
    lines = [
        json.dumps({"id": "x", "text": "ok text", "source": "S", "published": "2024-01-01"}),
        "{not json",
        json.dumps([1, 2]),
        json.dumps({"id": "y"}),
        "",
        json.dumps({"text": "no id"}),
        json.dumps({"id": "z", "html": "<p>hi</p>"}),
        json.dumps({"id": "n", "text": 5}),
    ]
    p.write_bytes(("\n".join(lines) + "\n").encode() + b'{"id": "u", "text": "\xff"}\n')
    recs = list(open_input(p))
    assert [r.index for r in recs] == list(range(8))
    assert recs[0].text == "ok text" and recs[0].source == "S"
    assert "not valid JSON" in recs[1].error and recs[1].key == "f.jsonl:2"
    assert "expected a JSON object" in recs[2].error
    assert "no 'text' or 'html'" in recs[3].error
    assert recs[4].key == "f.jsonl:6" and recs[4].text == "no id"
    assert recs[5].html == "<p>hi</p>"
    assert "not a string" in recs[6].error
    assert "invalid UTF-8" in recs[7].error


def test_open_input_csv_and_parquet(tmp_path):
    p = tmp_path / "f.csv"
    with open(p, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "source"])
        w.writerow(["1", "Multi\nline, text", "S"])
        w.writerow(["2", "too", "many", "fields"])
        w.writerow(["", "no id", "S"])
    recs = list(open_input(p))
    assert recs[0].text == "Multi\nline, text"
    assert "4 fields" in recs[1].error
    assert "id is empty" in recs[2].error
    q = tmp_path / "f.parquet"
    pq.write_table(pa.table({"text": ["one", None], "published": ["2024-02-02", None]}), q)
    recs = list(open_input(q))
    assert recs[0].key == "1" and recs[0].published == "2024-02-02"
    assert recs[1].error is not None
    assert open_input(q).count() == 2


def test_open_input_whole_file_problems(tmp_path):
    with pytest.raises(InputFileError, match="P011"):
        open_input(tmp_path / "missing.jsonl")
    (tmp_path / "x.docx").write_text("x")
    with pytest.raises(InputFileError, match="P017"):
        open_input(tmp_path / "x.docx")
    (tmp_path / "t.csv").write_text("id,body\n1,hello\n")
    with pytest.raises(InputFileError, match="P018"):
        open_input(tmp_path / "t.csv")
    (tmp_path / "bad.parquet").write_text("not parquet")
    with pytest.raises(InputFileError, match="P011"):
        open_input(tmp_path / "bad.parquet")


def test_simple_html_to_text_drops_scripts():
    from proplens.batch.html import simple_html_to_text

    text, title = simple_html_to_text(
        "<title>T &amp; U</title><nav>menu</nav><p>A</p><style>p{}</style><p>B &lt;b&gt;</p>"
    )
    assert title == "T & U"
    assert text == "A\n\nB <b>"
