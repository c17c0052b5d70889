"""Corpus statistics and the HTML/CSV report."""

from __future__ import annotations

import csv

from proplens.batch import run_batch
from proplens.batch.report import write_report
from proplens.stats import ALL, corpus_stats, month_of, record_from_analysis


def _rec(source, published, n_sent, n_prop, score, counts, spans=(), attributions=()):
    return {
        "source": source,
        "published": published,
        "n_sentences": n_sent,
        "n_propaganda_sentences": n_prop,
        "score": score,
        "technique_counts": counts,
        "spans": list(spans),
        "attributions": list(attributions),
    }


def test_month_of_formats():
    assert month_of("2024-11-30") == "2024-11"
    assert month_of("Sat, 30 Nov 2024 10:00:00 +0000") == "2024-11"
    assert month_of("yesterday") == "unknown"
    assert month_of("2024-13-01") == "unknown"


def test_corpus_stats_figures():
    recs = [
        _rec(
            "A",
            "2024-01-03",
            10,
            2,
            0.15,
            {"Loaded_Language": 3},
            [{"technique": "Loaded_Language", "text": "Reckless "}] * 3,
            [{"source_text": "the minister", "source_type": "person"}],
        ),
        _rec("A", "2024-02-03", 10, 4, 0.95, {"Doubt": 1}, [{"technique": "Doubt", "text": "really?"}]),
        _rec("B", None, 5, 0, 0.0, {}),
    ]
    st = corpus_stats(recs, top=5)
    by = {r["source"]: r for r in st.by_source}
    assert [r["source"] for r in st.by_source] == [ALL, "A", "B"]
    assert by["A"]["propaganda_sentence_share"] == 0.3 and by[ALL]["propaganda_sentence_share"] == 0.24
    assert by["A"]["score_median"] == 0.55
    assert [r["month"] for r in st.by_month] == ["2024-01", "2024-02", "unknown"]
    rate = {(r["source"], r["technique"]): r for r in st.technique_rates}
    assert rate[("A", "Loaded_Language")]["per_1k_sentences"] == 150.0
    assert rate[("A", "Loaded_Language")]["article_share"] == 0.5
    hist = [r["articles"] for r in st.score_histogram if r["source"] == ALL]
    assert hist[0] == 1 and hist[1] == 1 and hist[9] == 1 and sum(hist) == 3
    assert st.top_phrases[0] == {"technique": "Loaded_Language", "rank": 1, "phrase": "reckless", "count": 3}
    assert st.has_attributions and st.top_quoted[0]["quoted"] == "the minister"
    page = st.for_source("A")
    assert page["summary"][0]["articles"] == 2 and len(page["by_month"]) == 2


def test_record_from_analysis_matches_batch_rows(lexicon_analyzer):
    a = lexicon_analyzer("The reckless puppet. Calm words.", meta={"source": "S", "published": "2024-05-01"})
    r = record_from_analysis(a, id="x")
    assert (r["id"], r["source"], r["n_sentences"], r["n_propaganda_sentences"]) == ("x", "S", 2, 1)
    assert corpus_stats([r]).by_source[1]["source"] == "S"


def test_write_report_html_and_tables(tmp_path, corpus, spec):
    out = tmp_path / "o.parquet"
    run_batch(corpus, out, spec=spec)
    res = write_report(out, html=tmp_path / "r" / "report.html", top=3)
    page = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == 4
    assert "<script" not in page and "http" not in page.split("</style>")[0]
    assert "Daily A" in page and "Top phrases per technique" in page
    rows = list(
        csv.DictReader((res["tables_dir"] / "by_source.csv").read_text(encoding="utf-8").splitlines())
    )
    assert rows[0]["source"] == ALL and int(rows[0]["articles"]) == 120
    assert {p.name for p in res["tables"]} >= {
        "by_source.csv",
        "by_month.csv",
        "technique_rates.csv",
        "top_phrases.csv",
        "top_quoted.csv",
    }


def test_render_html_escapes_untrusted_strings():
    from proplens.batch.report import render_html

    evil = "<img src=x onerror=alert(1)>"
    st = corpus_stats(
        [
            _rec(
                evil,
                "2024-01-01",
                2,
                1,
                0.5,
                {"Loaded_Language": 1},
                [{"technique": "Loaded_Language", "text": evil}],
            )
        ]
    )
    page = render_html(st)
    assert evil not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
