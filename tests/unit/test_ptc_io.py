import pytest

from proplens.errors import InputFileError, LabelFileError
from proplens.ptc.io import PtcCorpus, read_articles, read_tc_labels


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "arts"
    d.mkdir()
    (d / "article1.txt").write_bytes(b"Title one\r\n\r\nThe reckless plan.\r\n")
    (d / "article2.txt").write_text("Short.", encoding="utf-8")
    return d


def test_read_articles_keeps_crlf(folder):
    arts = read_articles(folder)
    assert set(arts) == {"1", "2"}
    assert arts["1"].startswith("Title one\r\n")


@pytest.mark.parametrize(
    "content, match",
    [
        ("1\tDoubt\t0\n", "3 fields instead of 4"),
        ("1\tDoubt\ta\t3\n", "not integers"),
        ("1\tNope\t0\t3\n", "Unknown technique"),
        ("1\tDoubt\t5\t3\n", "bad span"),
        ("1\tDoubt\t0\t999\n", "outside article"),
        ("9\tDoubt\t0\t3\n", "no article file"),
    ],
)
def test_malformed_label_files(folder, tmp_path, content, match):
    f = tmp_path / "gold.labels"
    f.write_text(content)
    with pytest.raises(LabelFileError, match=match):
        read_tc_labels(f, articles=read_articles(folder))


def test_question_mark_allowed_for_classify(folder, tmp_path):
    f = tmp_path / "spans.labels"
    f.write_text("1\t?\t13\t21\n")
    rows = read_tc_labels(f, allow_unknown=True, articles=read_articles(folder))
    assert rows[0].technique is None


def test_corpus_load_requires_labels(folder):
    with pytest.raises(InputFileError, match="P016"):
        PtcCorpus.load(folder)


def test_empty_folder(tmp_path):
    with pytest.raises(InputFileError, match="P012"):
        read_articles(tmp_path)
