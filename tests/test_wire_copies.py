"""Wire copies: one agency story run by several outlets with small edits, planted with known answers.

The planted set: an agency story, three outlets' copies of it (a new headline, a byline, a
trimmed paragraph, an inserted sentence, "said" turned into "says", two paragraphs swapped, one
a day later), another outlet's own report of the same event, and an unrelated article. The
copies are found at ingest, stay stored and citable, retrieval reads one article of the story,
and the answer says which other outlets carried it. Real model and real Chroma for the answers;
the store-level behaviour runs on Chroma and the in-memory store with the hashing fake.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.render import answer_renderable
from bot.runtime import Runtime
from bot.settings import load_settings
from bot.slack.blocks import answer_reply
from index.archive import Archive
from index.encoders.embedder import HashingEmbedder, SentenceTransformerEmbedder
from index.fingerprint import CONTAINMENT, containment, shingles
from index.memory_store import MemoryStore
from index.models import Article, Chunk
from index.retrieval import HybridRetriever
from ingest.copies import fingerprint
from ingest.records import url_id
from tests.conftest import ask, make_settings
from tests.test_articles_cli import newsdesk

STORY = [
    "AKTAU, Kazakhstan (AP) — Dock workers at the Caspian port of Aktau ended a nine-day strike on "
    "Thursday after the port operator agreed to raise wages by 15 percent, the workers' union said.",
    "The strike had halted grain and oil shipments across the Caspian Sea and left more than 40 vessels "
    "waiting offshore, according to the port authority.",
    "Union leader Marat Seitkali said the deal also included a new shift schedule and a bonus for night "
    "work. \"We stood together and we were heard,\" he told reporters outside the port gates.",
    "The port operator said loading would resume within 24 hours and that the backlog of ships would be "
    "cleared by the end of next week.",
    "The government had urged both sides to settle, warning that a longer stoppage would hurt exports at "
    "a time of high global demand for grain.",
    "It was the second strike at Aktau this year. In January, workers walked out for three days over "
    "fuel prices.",
]
OTHER_REPORT = (
    "Aktau's harbour was quiet on Thursday evening as dockers gathered to celebrate. After nine days on "
    "the picket line, the men who load the grain ships have won a raise of 15 percent.\n\n"
    "\"Nobody believed we could hold out,\" said one crane driver, who asked not to be named. Dozens of "
    "tankers and bulk carriers still sit at anchor beyond the breakwater, their crews idle.\n\n"
    "Marat Seitkali, who led the walkout, spent the afternoon shaking hands in the union hall. Officials "
    "in Astana had pressed for a deal for days, fearing for the country's exports."
)
UNRELATED = (
    "Heavy snow closed the main road between Almaty and Bishkek on Friday, and the border crossing at "
    "Korday was shut for several hours while ploughs cleared drifts of more than a metre. Drivers were "
    "told to wait in roadside cafes, and the emergencies ministry opened heated tents for stranded "
    "families. Forecasters expect more snow over the weekend in the foothills of the Tian Shan."
)


def _copy(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


RECORDS = [
    ("https://apnews.example/aktau-strike", "Aktau dockers end strike with pay deal", _copy(STORY),
     "2022-03-10", "apnews.example"),
    ("https://times.example/world/aktau", "Kazakh port strike over after 15% raise",
     _copy(["By Dana Abenova, The Associated Press", *STORY[:-1]]), "2022-03-10", "times.example"),
    ("https://herald.example/news/aktau-strike", "Caspian dock strike ends",
     _copy([*STORY[:3], "The Herald has contacted the port operator for further comment.", *STORY[3:]])
     .replace(" said", " says"), "2022-03-10", "herald.example"),
    ("https://daily.example/aktau", "Aktau strike ends",
     _copy([STORY[0].replace("AKTAU, Kazakhstan (AP) —", "ALMATY —"), STORY[2], STORY[1], *STORY[3:]]),
     "2022-03-11", "daily.example"),
    ("https://courier.example/aktau-quiet", "A quiet night in Aktau as the strike ends", OTHER_REPORT,
     "2022-03-10", "courier.example"),
    ("https://weather.example/snow", "Snow closes the Almaty-Bishkek road", UNRELATED, "2022-03-11",
     "weather.example"),
]
WIRE, TIMES, HERALD, DAILY, COURIER, SNOW = (url_id(url) for url, *_ in RECORDS)
QUESTION = "By how much did the port operator agree to raise wages in Aktau?"


def export(folder: Path) -> Path:
    folder.mkdir()
    (folder / "feed.jsonl").write_text("".join(
        json.dumps({"url": u, "title": t, "text": x, "published": d, "source": s}) + "\n" for u, t, x, d, s in RECORDS
    ))
    return folder


# -- the detector itself ----------------------------------------------------------------------

def test_copies_look_alike_and_other_reporting_does_not() -> None:
    prints = {url_id(u): fingerprint(Article(url_id(u), t, x)) for u, t, x, _, _ in RECORDS}
    wire = prints[WIRE]
    for copy in (TIMES, HERALD, DAILY):
        other = prints[copy]
        assert containment(wire.signature, wire.shingles, other.signature, other.shingles) >= CONTAINMENT
    for different in (COURIER, SNOW):
        other = prints[different]
        assert containment(wire.signature, wire.shingles, other.signature, other.shingles) < 0.2
    assert fingerprint(Article("short", "", "Port strike ends after nine days, union says.")).bands == ()


def test_the_estimate_follows_the_exact_share_of_shingles() -> None:
    trimmed = _copy(STORY[:4])
    a, b = fingerprint(Article("a", "", _copy(STORY))), fingerprint(Article("b", "", trimmed))
    exact = len(shingles(trimmed) & shingles(_copy(STORY))) / len(shingles(trimmed))
    assert exact == 1.0
    assert containment(a.signature, a.shingles, b.signature, b.shingles) == pytest.approx(exact, abs=0.15)


# -- at ingest, in the store ------------------------------------------------------------------

@pytest.fixture(params=["chroma", "memory"])
def fresh(request: pytest.FixtureRequest, tmp_path: Path) -> Runtime:
    store: Archive | None = MemoryStore() if request.param == "memory" else None
    return Runtime(load_settings(home=tmp_path / "home"), embedder=HashingEmbedder(), store=store)


def test_copies_are_found_at_ingest_and_stay_stored_and_citable(fresh: Runtime, tmp_path: Path) -> None:
    report = fresh.ingest([export(tmp_path / "news")])
    assert (report.added, report.copies, report.failed) == (6, 3, [])
    stored = fresh.store.get_articles([WIRE, TIMES, HERALD, DAILY, COURIER, SNOW])
    assert len(stored) == 6
    assert {stored[i].story for i in (WIRE, TIMES, HERALD, DAILY)} == {WIRE}  # named after the first
    assert (stored[COURIER].story, stored[SNOW].story) == (COURIER, SNOW)
    members = fresh.store.story_members([WIRE])[WIRE]
    assert {m.id for m in members} == {WIRE, TIMES, HERALD, DAILY}
    chunks = [p for p in fresh.store.all_chunks() if p.article_id == HERALD]
    assert chunks and all(p.story == WIRE and stored[HERALD].text[p.start : p.end] == p.text for p in chunks)
    again = fresh.ingest([tmp_path / "news"])
    assert (again.unchanged, again.copies, again.embedded) == (6, 0, 0)


def test_a_story_keeps_its_name_when_its_first_article_is_deleted(fresh: Runtime, tmp_path: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    lines = [json.dumps({"url": u, "title": t, "text": x, "published": d, "source": s}) for u, t, x, d, s in RECORDS]
    (folder / "first.jsonl").write_text(lines[0] + "\n" + lines[1] + "\n")
    fresh.ingest([folder])
    fresh.store.delete_articles([WIRE])
    (folder / "later.jsonl").write_text(lines[2] + "\n")
    assert fresh.ingest([folder / "later.jsonl"]).copies == 1
    assert fresh.store.get_articles([HERALD])[HERALD].story == WIRE  # joined the copy that is left
    assert {m.id for m in fresh.store.story_members([WIRE])[WIRE]} == {TIMES, HERALD}


def test_articles_stored_before_copies_were_detected_are_fingerprinted_once(fresh: Runtime, tmp_path: Path) -> None:
    """An index written before this feature: articles without fingerprints, then a new copy."""
    embedder = HashingEmbedder()
    old = Article(WIRE, "Aktau dockers end strike", _copy(STORY), date(2022, 3, 10), source="apnews.example")
    chunk = Chunk(WIRE, 0, 0, len(old.text), old.text, ((0, len(old.text)),))
    fresh.store.write([(old, [chunk], embedder.embed([old.text]))])
    assert fresh.store.unfingerprinted() == [WIRE]
    folder = tmp_path / "news"
    folder.mkdir()
    url, title, text, day, source = RECORDS[1]
    (folder / "times.jsonl").write_text(json.dumps({"url": url, "title": title, "text": text,
                                                    "published": day, "source": source}) + "\n")
    report = fresh.ingest([folder])
    assert (report.copies, report.fingerprinted) == (1, 1)
    assert fresh.store.unfingerprinted() == []
    assert fresh.store.get_articles([TIMES])[TIMES].story == WIRE


# -- retrieval and answers, with the real model ------------------------------------------------

@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory, embedder: SentenceTransformerEmbedder) -> Runtime:
    root = tmp_path_factory.mktemp("wire")
    runtime = Runtime(make_settings(root / "home"), embedder=embedder)
    report = runtime.ingest([export(root / "news")])
    assert (report.added, report.copies) == (6, 3)
    return runtime


def test_retrieval_reads_one_article_of_the_story(planted: Runtime) -> None:
    """Of the story, one article's passages keep their place; its copies come only after every
    other passage, so the first articles read are one copy, the other report and the snow."""
    query = planted.query(QUESTION, date(2022, 3, 15))
    story = {WIRE, TIMES, HERALD, DAILY}
    plain = [p.article_id for p in HybridRetriever(planted.store, planted.embedder, planted.lexical).search(query, 20)]
    assert len(set(plain[:3]) & story) >= 2  # without the stage, copies fill the first passages
    found = [p.article_id for p in planted.retriever.search(query, 20)]
    assert sorted(found) == sorted(plain)  # nothing dropped: the copies are still there, last
    read = list(dict.fromkeys(found))[:3]  # the first three articles read
    assert len(set(read) & story) == 1 and COURIER in read
    kept = read[0] if read[0] in story else next(a for a in found if a in story)
    others = [i for i, article_id in enumerate(found) if article_id not in story]
    copies = [i for i, article_id in enumerate(found) if article_id in story - {kept}]
    assert copies and min(copies) > max(others)


def test_the_answer_says_which_other_outlets_carried_the_story(planted: Runtime) -> None:
    answer = ask(planted, QUESTION, date(2022, 3, 15))
    assert answer.answer and "15 percent" in (answer.sentence or answer.answer)
    [cited] = [c for c in answer.citations if c.article_id in {WIRE, TIMES, HERALD, DAILY}][:1]
    assert len(cited.other_outlets) == 3 and cited.source not in cited.other_outlets
    text = " ".join(str(line) for line in answer_renderable(answer).renderables)
    assert "also carried by 3 other outlet(s)" in text
    blocks = json.dumps(answer_reply(answer).blocks)
    assert "also carried by 3 other outlet(s)" in blocks
    data = answer.to_json()["citations"]
    assert isinstance(data, list) and any(len(c["also_carried_by"]) == 3 for c in data)


def test_copies_that_ran_after_the_as_of_date_are_not_counted(planted: Runtime) -> None:
    answer = ask(planted, QUESTION, date(2022, 3, 10))
    cited = [c for c in answer.citations if c.article_id in {WIRE, TIMES, HERALD}]
    assert cited and all("daily.example" not in c.other_outlets and len(c.other_outlets) == 2 for c in cited)


def test_an_answer_without_copies_names_none(planted: Runtime) -> None:
    answer = ask(planted, "Which road did heavy snow close?", date(2022, 3, 15))
    assert answer.citations and all(c.copies == () for c in answer.citations)


def test_article_names_the_other_articles_of_its_story(planted: Runtime) -> None:
    shown = newsdesk("article", TIMES, home=planted.settings.store.home)
    assert shown.returncode == 0, shown.stderr
    assert "Also carried by 3 other article(s) of the same story:" in shown.stdout
    assert all(i in shown.stdout for i in (WIRE, HERALD, DAILY)) and COURIER not in shown.stdout
    data = json.loads(newsdesk("article", TIMES, "--json", home=planted.settings.store.home).stdout)
    assert data["story"] == WIRE and {c["article_id"] for c in data["also_carried_by"]} == {WIRE, HERALD, DAILY}
