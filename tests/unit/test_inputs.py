"""read_article(): one way in for text, bytes, files and HTML, with the same coded errors everywhere."""

from __future__ import annotations

import pytest

import proplens.inputs as inputs
from proplens.errors import (
    InputFileError,
    InvalidTextError,
    MissingExtraError,
    NoArticleTextError,
    TextTooLongError,
)
from proplens.inputs import read_article

BODY = "Café owners said the reckless plan 😀 failed.\r\nThe traitors left.\n"
PAGE = (
    "<!DOCTYPE html><html><head><title>Riverside plan</title><style>p{color:red}</style>"
    "<script>var x = '<p>not text</p>';</script></head><body><nav>Home | News</nav>"
    "<article><p>Owners said the <b>reckless</b> plan failed.</p><p>The traitors left &amp; "
    "hid.</p></article>"
    "</body></html>"
)


def _no_markup(text: str) -> None:
    assert "<" not in text and ">" not in text and "var x" not in text and "color:red" not in text


def test_text_str_and_path_keep_every_character(tmp_path):
    assert read_article(BODY).text is BODY
    f = tmp_path / "a.txt"
    f.write_bytes(b"\xef\xbb\xbf" + BODY.encode("utf-8"))  # a UTF-8 BOM, CRLF, emoji, accents
    art = read_article(f)
    assert art.text == BODY and not art.is_html and art.title is None
    # offsets into the read text are those of the file's text: found independently of read_article
    assert art.text.index("reckless") == len("Café owners said the ") == 21
    assert art.text.index("traitors") == BODY.index("\r\n") + 2 + len("The ")


def test_bytes_utf16_and_bad_bytes():
    assert read_article(BODY.encode("utf-16")).text == BODY
    with pytest.raises(InvalidTextError, match=r"\[P004\].*0xff at position 4"):
        read_article(b"abc \xff def")
    with pytest.raises(InvalidTextError, match=r"\[P004\].*NUL"):
        read_article(b"\x00\x01binary")


def test_unreadable_paths_are_p011(tmp_path):
    with pytest.raises(InputFileError, match=r"\[P011\].*missing.txt"):
        read_article(tmp_path / "missing.txt")
    with pytest.raises(InputFileError, match=r"\[P011\].*folder"):
        read_article(tmp_path)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok \xc3\x28 no")
    with pytest.raises(InputFileError, match=r"\[P011\].*bad.txt.*UTF-8"):
        read_article(bad)


def test_checks_name_the_knob_and_can_be_left_to_the_caller():
    with pytest.raises(InvalidTextError, match=r"\[P001\]"):
        read_article("  \n ")
    assert read_article("  \n ", check=False).text == "  \n "
    with pytest.raises(TextTooLongError, match=r"\[P005\].*\(--max-chars\)"):
        read_article("x" * 101, max_chars=100, knob="--max-chars")


@pytest.mark.parametrize(
    "kw, is_html",
    [
        ({"name": "page.html"}, True),
        ({"name": "PAGE.HTM"}, True),
        ({"content_type": "text/html; charset=utf-8"}, True),
        ({}, True),  # no name: sniffed from '<!DOCTYPE html'
        ({"name": "notes.txt"}, False),  # .txt is text even when it starts like HTML
        ({"kind": "text"}, False),
    ],
)
def test_html_is_recognised_the_same_way_everywhere(kw, is_html):
    art = read_article(PAGE, **kw)
    assert art.is_html is is_html
    if is_html:
        _no_markup(art.text)
        assert "reckless" in art.text and "The traitors left & hid." in art.text
        assert art.title == "Riverside plan" and art.extractor == "trafilatura"
    else:
        assert art.text == PAGE


def test_html_file_and_bytes(tmp_path):
    f = tmp_path / "story.html"
    f.write_text(PAGE, encoding="utf-8")
    for art in (read_article(f), read_article(PAGE.encode(), name="upload.htm")):
        assert art.is_html and art.title == "Riverside plan"
        _no_markup(art.text)


def test_html_without_article_text_is_p029():
    with pytest.raises(NoArticleTextError, match=r"\[P029\].*page.html") as info:
        read_article("<html><head><script>x()</script></head><body></body></html>", name="page.html")
    assert info.value.api_code == "no_article_text" and isinstance(info.value, InvalidTextError)
    with pytest.raises(InvalidTextError, match=r"\[P001\]"):
        read_article("   ", kind="html")


def test_missing_extractor_falls_back_with_a_warning_never_raw_html(monkeypatch):
    monkeypatch.setattr(inputs, "has_trafilatura", lambda: False)
    with pytest.warns(UserWarning, match=r"\[W003\].*page.html.*trafilatura"):
        art = read_article(PAGE, name="page.html")
    assert art.extractor == "simple" and art.title == "Riverside plan"
    _no_markup(art.text)
    assert "Home | News" not in art.text and "reckless plan failed." in art.text
    with pytest.raises(MissingExtraError, match=r"\[P022\].*trafilatura"):
        read_article(PAGE, name="page.html", extractor="trafilatura")


def test_cli_analyze_reads_html_files_through_read_article(tmp_path, monkeypatch):
    from proplens.cli.commands.analyze import _read_input

    f = tmp_path / "article42.html"
    f.write_text(PAGE, encoding="utf-8")
    monkeypatch.setattr(inputs, "has_trafilatura", lambda: False)
    with pytest.warns(UserWarning, match=r"\[W003\]"):
        art, art_id = _read_input(str(f), 10_000)
    assert art_id == "42" and art.is_html
    _no_markup(art.text)
    with pytest.raises(TextTooLongError, match=r"--max-chars"), pytest.warns(UserWarning, match=r"\[W003\]"):
        _read_input(str(f), 10)


def test_batch_html_rows_and_compare_files_use_read_article(tmp_path, monkeypatch):
    from proplens.batch.inputs import InputRecord
    from proplens.batch.worker import _prepare
    from proplens.compare.inputs import load_versions

    monkeypatch.setattr(inputs, "has_trafilatura", lambda: False)
    with pytest.warns(UserWarning, match=r"\[W003\]"):
        text, title = _prepare(InputRecord(index=0, key="r1", where="feed.jsonl:1", html=PAGE), 10_000)
    assert title == "Riverside plan"
    _no_markup(text)
    f = tmp_path / "outlet.html"
    f.write_text(PAGE, encoding="utf-8")
    with pytest.warns(UserWarning, match=r"\[W003\]"):
        (version,) = load_versions([str(f)])
    assert version.title == "Riverside plan"
    _no_markup(version.text)
