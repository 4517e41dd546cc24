"""Issue 21, item 12: text that declares, or clearly is, another encoding than UTF-8 is decoded."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from ingest.errors import ArticleReadError
from ingest.formats import extract_page, read_file
from ingest.warc import read_warc
from tests.test_warc import Archive, split

MB = 1_000_000
BODY = ("Le café de la gare a rouvert ses portes mardi après deux ans de travaux, a annoncé la mairie. "
        "Les habitués sont revenus dès l’ouverture, « comme avant », dit la patronne.")


def page(head: str, body: str = BODY) -> str:
    return (f"<html><head>{head}<title>Café reopens</title></head><body><article><h1>Café reopens</h1>"
            f"<p>{body}</p><p>{body}</p></article></body></html>")


@pytest.mark.parametrize(
    ("head", "encoding"),
    [
        ('<meta charset="iso-8859-1">', "iso-8859-1"),
        ("<meta charset=windows-1252>", "cp1252"),
        ('<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15">', "iso-8859-15"),
    ],
)
def test_html_declaring_its_charset_is_decoded(tmp_path: Path, head: str, encoding: str) -> None:
    """It was refused as "not valid UTF-8"."""
    body = BODY.replace("’", "'") if encoding != "cp1252" else BODY
    (tmp_path / "page.html").write_bytes(page(head, body).encode(encoding))
    [article] = read_file(tmp_path / "page.html", tmp_path, MB).articles
    assert "Le café de la gare" in article.text and "« comme avant »" in article.text


def test_a_latin_1_label_is_read_as_windows_1252_as_browsers_do(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_bytes(page('<meta charset="latin1">').encode("cp1252"))
    [article] = read_file(tmp_path / "page.html", tmp_path, MB).articles
    assert "dès l’ouverture" in article.text  # 0x92, a control character in ISO-8859-1


def test_an_xml_encoding_declaration_is_honoured(tmp_path: Path) -> None:
    xhtml = '<?xml version="1.0" encoding="ISO-8859-1"?>\n' + page("", BODY.replace("’", "'"))
    (tmp_path / "page.xhtml").write_bytes(xhtml.encode("iso-8859-1"))
    [article] = read_file(tmp_path / "page.xhtml", tmp_path, MB).articles
    assert "Le café de la gare" in article.text


def test_utf8_wins_over_a_wrong_declaration(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_bytes(page('<meta charset="iso-8859-1">').encode("utf-8"))
    [article] = read_file(tmp_path / "page.html", tmp_path, MB).articles
    assert "Le café de la gare" in article.text


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_text_with_a_bom_or_clearly_utf16_is_decoded(tmp_path: Path, encoding: str) -> None:
    """UTF-16 text was called "binary file"."""
    (tmp_path / "a.txt").write_bytes(f"Café reopens\n{BODY}\n".encode(encoding))
    [article] = read_file(tmp_path / "a.txt", tmp_path, MB).articles
    assert (article.title, article.text) == ("Café reopens", BODY)


def test_utf16_html_and_json_are_decoded(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_bytes(codecs.BOM_UTF16_LE + page("").encode("utf-16-le"))
    (tmp_path / "a.json").write_bytes(json.dumps({"title": "Café reopens", "text": BODY}).encode("utf-16"))
    assert "Le café" in read_file(tmp_path / "page.html", tmp_path, MB).articles[0].text
    assert read_file(tmp_path / "a.json", tmp_path, MB).articles[0].text == BODY


def test_undeclared_8_bit_text_is_still_refused_with_what_to_do(tmp_path: Path) -> None:
    """Latin-1, windows-1252 and a dozen others cannot be told apart reliably: no guess."""
    (tmp_path / "a.txt").write_bytes(f"Café reopens\n{BODY}\n".encode("cp1252"))
    (tmp_path / "page.html").write_bytes(page("").encode("cp1252"))
    with pytest.raises(ArticleReadError, match=r"not valid UTF-8 .* re-save it as UTF-8"):
        read_file(tmp_path / "a.txt", tmp_path, MB)
    with pytest.raises(ArticleReadError, match=r"not valid UTF-8 .*<meta charset"):
        read_file(tmp_path / "page.html", tmp_path, MB)


def test_a_utf16_jsonl_export_says_what_it_is(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes('{"title": "Café", "text": "Body."}\n'.encode("utf-16"))
    with pytest.raises(ArticleReadError, match="UTF-16.*UTF-8"):
        read_file(tmp_path / "a.jsonl", tmp_path, MB)


def test_fetched_and_archived_pages_honour_their_declared_charset(tmp_path: Path) -> None:
    latin = page('<meta charset="iso-8859-1">', BODY.replace("’", "'")).encode("iso-8859-1")
    assert "Le café de la gare" in extract_page(latin).text
    path = tmp_path / "crawl.warc"
    archive = Archive(path, False)
    archive.response("https://daily.example/cafe", latin, content_type="text/html")
    archive.response("https://daily.example/cafe-2", page("", BODY).encode("cp1252"),
                     content_type="text/html; charset=windows-1252")  # the HTTP header says it
    archive.close()
    articles, problems = split(read_warc(path))
    assert problems == []
    assert ["Le café de la gare" in a.text for a in articles] == [True, True]
    assert "« comme avant »" in articles[1].text and "dès l’ouverture" in articles[1].text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_plain_english_in_utf16_without_a_mark_is_decoded(tmp_path: Path, encoding: str) -> None:
    """ASCII letters in UTF-16 are also valid UTF-8 (with a NUL between them): not a binary file."""
    text = "Ferry resumes\nThe Velm ferry resumed service on Thursday after the storm.\n"
    (tmp_path / "u.txt").write_bytes(text.encode(encoding))
    [article] = read_file(tmp_path / "u.txt", tmp_path, 10**6).articles
    assert (article.title, article.text) == ("Ferry resumes", "The Velm ferry resumed service on Thursday after the storm.")
