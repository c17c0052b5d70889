"""run_batch: output contents, determinism, resumption, errors file, foreign output folders."""

from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest

from proplens.batch import AnalyzerSpec, run_batch
from proplens.errors import BatchError
from proplens.techniques import TECHNIQUE_IDS
from proplens.testing import LexiconDetector

from .conftest import write_jsonl


def test_run_batch_rows_match_the_analyzer(tmp_path, corpus, spec):
    out = tmp_path / "out.parquet"
    s = run_batch(corpus, out, spec=spec, chunk_size=25, jsonl=tmp_path / "out.jsonl")
    assert (s.total, s.rows, s.errors, s.skipped, s.analysed) == (120, 120, 0, 0, 120)
    t = pq.read_table(out)
    assert t.column("id").to_pylist() == [f"art-{i:05d}" for i in range(120)]
    row = t.slice(3, 1).to_pylist()[0]
    src = [json.loads(x) for x in corpus.read_text(encoding="utf-8").splitlines()][3]
    a = spec.build()(src["text"], src["title"])
    assert row["score"] == round(a.score, 6)
    assert row["n_spans"] == len(a.spans) == len(row["spans"])
    assert [(x["start"], x["end"], x["technique"]) for x in row["spans"]] == [
        (sp.start, sp.end, sp.technique) for sp in a.spans
    ]
    assert all(src["text"][x["start"] : x["end"]] == x["text"] for x in row["spans"])
    assert set(row["technique_counts"]) == set(TECHNIQUE_IDS)
    assert (row["source"], row["published"], row["model_version"]) == (
        src["source"],
        src["published"],
        "test",
    )
    lines = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 120 and json.loads(lines[3])["id"] == "art-00003"
    assert pq.read_schema(out).metadata == {b"proplens.row_schema_version": b"1"}  # the row's version


def test_run_batch_is_byte_identical_across_chunking_and_workers(tmp_path, corpus, spec):
    a = run_batch(corpus, tmp_path / "a.parquet", spec=spec, chunk_size=7)
    b = run_batch(corpus, tmp_path / "b.parquet", spec=spec, chunk_size=50, workers=2)
    assert a.rows == b.rows == 120
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_run_batch_resumes_and_skips_done_work(tmp_path, corpus, spec):
    out = tmp_path / "out.parquet"
    first = run_batch(corpus, out, spec=spec, chunk_size=10, limit=55)
    assert first.rows == 55
    second = run_batch(corpus, out, spec=spec, chunk_size=10)
    assert (second.skipped, second.analysed, second.rows) == (55, 65, 120)
    third = run_batch(corpus, out, spec=spec, chunk_size=10)
    assert (third.skipped, third.analysed) == (120, 0)
    ref = tmp_path / "ref.parquet"
    run_batch(corpus, ref, spec=spec, chunk_size=10)
    assert out.read_bytes() == ref.read_bytes()


def test_run_batch_bad_rows_go_to_the_errors_file(tmp_path, spec):
    p = write_jsonl(tmp_path / "f.jsonl", 10)
    with open(p, "a", encoding="utf-8") as f:
        f.write("{oops\n")
        f.write(json.dumps({"id": "empty", "text": " \n "}) + "\n")
        f.write(json.dumps({"id": "art-00002", "text": "a duplicate"}) + "\n")
        f.write(json.dumps({"id": "huge", "text": "word " * 400}) + "\n")
        f.write(json.dumps({"id": "page", "html": "<p>The reckless puppet.</p>"}) + "\n")
    spec = AnalyzerSpec(
        detector=LexiconDetector(), attribution=False, model_name="l", model_version="t", max_chars=1000
    )
    s = run_batch(p, tmp_path / "o.parquet", spec=spec, chunk_size=4)
    assert (s.rows, s.errors) == (11, 4)
    errs = [json.loads(x) for x in (tmp_path / "o.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [e["code"] for e in errs] == ["P019", "P001", "P020", "P005"]
    assert errs[0]["id"] == "f.jsonl:11" and "not valid JSON" in errs[0]["reason"]
    assert errs[2]["id"] == "art-00002@f.jsonl:13"
    t = pq.read_table(tmp_path / "o.parquet")
    page = [r for r in t.to_pylist() if r["id"] == "page"][0]
    assert page["n_spans"] == 2
    # the errors are done work too: a re-run neither repeats nor duplicates them
    s2 = run_batch(p, tmp_path / "o.parquet", spec=spec, chunk_size=4)
    assert (s2.analysed, s2.errors) == (0, 4)


def test_run_batch_refuses_parts_of_another_model(tmp_path, corpus, spec):
    out = tmp_path / "o.parquet"
    run_batch(corpus, out, spec=spec, limit=5)
    other = AnalyzerSpec(
        detector=LexiconDetector(), attribution=False, model_name="lexicon-test", model_version="v2"
    )
    with pytest.raises(BatchError, match="P021"):
        run_batch(corpus, out, spec=other)


def test_run_batch_empty_input_writes_an_empty_table(tmp_path, spec):
    (tmp_path / "e.jsonl").write_text("")
    s = run_batch(tmp_path / "e.jsonl", tmp_path / "e.parquet", spec=spec)
    assert s.rows == 0 and pq.read_table(tmp_path / "e.parquet").num_rows == 0


def test_part_store_ignores_leftovers_of_a_killed_run(tmp_path, corpus, spec):
    out = tmp_path / "o.parquet"
    run_batch(corpus, out, spec=spec, chunk_size=30, limit=30)
    parts = out.with_name("o.parquet.parts")
    (parts / ".part-000000000030.parquet.tmp-999").write_bytes(b"half a file")
    (parts / "part-000000000030.errors.jsonl").write_text(
        '{"id": "art-00031", "_index": 31, "where": "x", "code": null, "reason": "r"}\n'
    )
    s = run_batch(corpus, out, spec=spec, chunk_size=30)
    assert (s.skipped, s.rows, s.errors) == (30, 120, 0)
    assert not any(".tmp-" in p.name for p in parts.iterdir())


class _BrokenDetector(LexiconDetector):
    def predict(self, texts):
        from proplens.errors import ModelLoadError

        raise ModelLoadError("[P009] Cannot load the model from nowhere: test.")


def test_run_batch_stops_on_a_broken_model_without_marking_rows_done(tmp_path, corpus):
    from proplens.errors import ModelLoadError

    spec = AnalyzerSpec(detector=_BrokenDetector(), attribution=False, model_name="l", model_version="t")
    with pytest.raises(ModelLoadError):
        run_batch(corpus, tmp_path / "o.parquet", spec=spec)
    assert not list((tmp_path / "o.parquet.parts").glob("part-*"))


def test_run_batch_resumes_with_another_onnx_batch_size(tmp_path, corpus):
    a = AnalyzerSpec(
        detector=LexiconDetector(), attribution=False, model_name="l", model_version="t", batch_size=4
    )
    b = AnalyzerSpec(
        detector=LexiconDetector(), attribution=False, model_name="l", model_version="t", batch_size=16
    )
    first = run_batch(corpus, tmp_path / "o.parquet", spec=a, limit=5)
    second = run_batch(corpus, tmp_path / "o.parquet", spec=b)  # the results do not depend on it
    assert first.analysed == 5 and second.skipped == 5 and second.rows == second.total
