"""A RealTimeQA kit (the format evals/kit.py reads) built from a local clone of the public
RealTimeQA repository (Kasai et al., "RealTime QA: What's the Answer Right Now?", NeurIPS 2023
Datasets and Benchmarks), so that anyone can evaluate on the weeks they choose:

    git clone https://github.com/realtimeqa/realtimeqa_public
    newsdesk kit realtimeqa realtimeqa_public --from 2022-06-17 --to 2022-12-30 --out rtqa-2022h2

Read, for each weekly release under `past/YYYY/` dated from `--from` to `--to` (the date in the
file names): `YYYYMMDD_qa.jsonl`, the quiz questions (not the `_qa_nota` "none of the above"
variants); `YYYYMMDD_gcs.jsonl`, each question's Google custom-search results (full texts), in
rank order; and `YYYYMMDD_gold.jsonl` where there is one, the articles the quiz explanations link
to, merged into the corpus. A week without both a question and a search file is skipped.

Written: `corpus.jsonl.gz`, one article per normalized URL (`normalized_url`; the longest text
of its copies), with id = the first 16 hex digits of the SHA-1 of that URL, the date from a
`/YYYY/MM/DD/` segment of the URL else the crawler's; `questions.jsonl` (the fields evals/kit.py
reads, and the evidence and search results of each question); `manifest.json` (source, commit,
weeks, counts and what was skipped). The texts are the crawler's, unchanged.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot import messages
from evals.kit import CORPUS_NAMES, QUESTIONS
from index.errors import UserInputError

SOURCE_REPOSITORY = "github.com/realtimeqa/realtimeqa_public"
MANIFEST = "manifest.json"
_WEEK_FILE = re.compile(r"^(\d{8})_qa\.jsonl$")
_URL_DAY = re.compile(r"/(\d{4})/(\d{2})/(\d{2})(?:/|$)")
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_TRACKING = ("cid", "amp")  # and every utm_* parameter


@dataclass(frozen=True)
class Week:
    day: date
    questions: Path
    results: Path
    gold: Path | None


@dataclass
class KitArticle:
    id: str
    url: str
    text: str
    title: str | None
    crawled: str | None  # the crawler's publish date, as stored
    origins: set[str] = field(default_factory=set)

    def to_json(self) -> dict[str, Any]:
        published, published_from = article_date(self.url, self.crawled)
        return {
            "id": self.id, "url": self.url, "title": self.title, "text": self.text,
            "published": published.isoformat() if published else None, "published_from": published_from,
            "source": host_of(self.url), "origin": "+".join(o for o in ("gcs", "gold") if o in self.origins),
        }


@dataclass
class KitReport:
    """What a build read and wrote, for the CLI and `manifest.json`."""

    out: Path
    weeks: list[str] = field(default_factory=list)
    weeks_skipped: list[str] = field(default_factory=list)  # no question or no search file
    questions: int = 0
    articles: int = 0
    questions_skipped: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {"out": str(self.out), "weeks": self.weeks, "weeks_skipped_missing_files": self.weeks_skipped,
                "questions": self.questions, "articles": self.articles,
                "questions_skipped": dict(self.questions_skipped), "notes": dict(self.notes)}


def normalized_url(url: str) -> str:
    """The URL an article is known by: https, no `www.`, no fragment, no tracking parameters
    (`utm_*`, `cid`, `amp`), no trailing `/index.html` or `/`."""
    parts = urlsplit(url.strip())
    host = host_of(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not (k.lower().startswith("utm_") or k.lower() in _TRACKING)]
    path = parts.path.removesuffix("/index.html").rstrip("/")
    return "https://" + host + path + ("?" + urlencode(query) if query else "")


def article_id(url: str) -> str:
    return hashlib.sha1(normalized_url(url).encode("utf-8")).hexdigest()[:16]


def host_of(url: str) -> str:
    host = urlsplit(url.strip()).netloc.lower()
    return host.removeprefix("www.")


def article_date(url: str, crawled: str | None) -> tuple[date | None, str | None]:
    """(published, where from): a `/YYYY/MM/DD/` segment of the URL, else the crawler's date."""
    found = _URL_DAY.search(urlsplit(url).path)
    if found:
        day = _day(*found.groups())
        if day is not None:
            return day, "url"
    day = _day(*re.split(r"[/-]", crawled[:10])) if crawled else None
    return (day, "metadata") if day is not None else (None, None)


def _day(*parts: str) -> date | None:
    try:
        return date(*(int(p) for p in parts)) if len(parts) == 3 else None
    except ValueError:
        return None


# -- reading the repository ---------------------------------------------------------------------

def find_weeks(source: Path, start: date | None, end: date | None) -> tuple[list[Week], list[str]]:
    """The weekly releases dated from `start` to `end` (both included), oldest first, and the
    dates of those skipped for lacking a search file."""
    root = source / "past" if (source / "past").is_dir() else source
    found: list[Week] = []
    skipped: list[str] = []
    for questions in sorted(root.rglob("*_qa.jsonl"), key=lambda p: p.name):
        match = _WEEK_FILE.match(questions.name)
        day = _day(match.group(1)[:4], match.group(1)[4:6], match.group(1)[6:]) if match else None
        if day is None or (start and day < start) or (end and day > end):
            continue
        stem = questions.name.removesuffix("_qa.jsonl")
        results, gold = questions.with_name(f"{stem}_gcs.jsonl"), questions.with_name(f"{stem}_gold.jsonl")
        if not results.is_file():
            skipped.append(stem)
            continue
        found.append(Week(day, questions, results, gold if gold.is_file() else None))
    return found, skipped


def read_records(path: Path, notes: Counter[str]) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL file; a line that is not one is counted in `notes` and skipped."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                record = None
            if isinstance(record, dict):
                yield record
            else:
                notes[f"{path.name.split('_', 1)[1]}: unreadable line (skipped)"] += 1


def read_results(path: Path | None, origin: str, notes: Counter[str]) -> dict[str, list[dict[str, Any]]]:
    """Search results (or gold articles) by question id, in rank order."""
    by_question: dict[str, list[dict[str, Any]]] = {}
    for record in read_records(path, notes) if path is not None else ():
        results = record.get("search_result")
        if not isinstance(results, list):
            notes[f"{origin}: record without a list of results (skipped)"] += 1
            continue
        kept = [r for r in results if isinstance(r, dict) and isinstance(r.get("url"), str)]
        by_question.setdefault(str(record.get("question_id")), []).extend(kept)
    return by_question


def parse_question(record: dict[str, Any], week: date) -> dict[str, Any] | str:
    """The kit's question fields (without the corpus ids), or why the record cannot be one."""
    qid, text, choices = record.get("question_id"), record.get("question_sentence"), record.get("choices")
    if not isinstance(qid, str | int) or not str(qid).strip():
        return "no question_id"
    if not isinstance(text, str) or not text.strip():
        return "no question_sentence"
    if not isinstance(choices, list) or len(choices) < 2 or not all(isinstance(c, str) for c in choices):
        return "choices are not a list of texts"
    answer = record.get("answer")
    if not (isinstance(answer, list) and len(answer) == 1 and str(answer[0]).strip().isdigit()
            and int(str(answer[0])) < len(choices)):
        return "the answer is not one of the choices"
    index = int(str(answer[0]))
    asked = record.get("question_date")
    day = _day(*re.split(r"[/-]", asked[:10])) if isinstance(asked, str) else None
    return {
        "id": str(qid).strip(), "question": text.strip(), "question_date": (day or week).isoformat(),
        "choices": choices, "answer_index": index, "answer": choices[index],
        "evidence_urls": evidence_links(record.get("evidence")),
        "source": record.get("question_source") or None, "week": week.isoformat(),
    }


def evidence_links(evidence: Any) -> list[str]:
    """The http(s) links of the quiz's explanation paragraph, each once, in order."""
    if not isinstance(evidence, str):
        return []
    links = (html.unescape(a or b).strip() for a, b in _HREF.findall(evidence))
    return list(dict.fromkeys(u for u in links if urlsplit(u).scheme in ("http", "https")))


# -- building -------------------------------------------------------------------------------------

class Corpus:
    """The kit's articles by id, in the order first seen; a URL seen again keeps its longest text."""

    def __init__(self, notes: Counter[str]) -> None:
        self.articles: dict[str, KitArticle] = {}
        self.notes = notes
        self._differing: set[str] = set()

    def add(self, result: dict[str, Any], origin: str) -> str | None:
        text = result.get("text")
        if not isinstance(text, str) or not text.strip():
            self.notes[f"{origin}: result with missing/empty text (dropped)"] += 1
            return None
        url = urlunsplit(urlsplit(result["url"].strip())._replace(fragment=""))
        key = article_id(url)
        title = result.get("title") if isinstance(result.get("title"), str) else None
        crawled = result.get("publish_date") if isinstance(result.get("publish_date"), str) else None
        known = self.articles.get(key)
        if known is None:
            self.articles[key] = KitArticle(key, url, text, title, crawled, {origin})
            return key
        known.origins.add(origin)
        known.title = known.title or title
        if text != known.text:
            self._differing.add(key)
            self.notes["articles whose URL appeared with differing texts (longest kept)"] = len(self._differing)
            if len(text) > len(known.text):
                known.url, known.text, known.crawled = url, text, crawled or known.crawled
        return key


def build_realtimeqa_kit(source: Path, out: Path, start: date | None = None,
                         end: date | None = None) -> KitReport:
    """Read the weeks from `start` to `end` of the clone at `source`; write the kit to `out`
    (a new or empty folder)."""
    if not source.is_dir():
        raise UserInputError(messages.KIT_NO_SOURCE.format(path=source))
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UserInputError(messages.KIT_OUT_NOT_EMPTY.format(path=out))
    weeks, skipped = find_weeks(source, start, end)
    if not weeks:
        raise UserInputError(messages.KIT_NO_WEEKS.format(
            path=source, start=start or "the first week", end=end or "the last"))
    report = KitReport(out, [w.day.strftime("%Y%m%d") for w in weeks], skipped)
    corpus = Corpus(report.notes)
    questions: list[dict[str, Any]] = []
    seen: set[str] = set()
    for week in weeks:
        questions += _week_questions(week, corpus, report, seen)
    for question in questions:
        ids = (article_id(u) for u in question["evidence_urls"])
        question["evidence_ids"] = list(dict.fromkeys(i for i in ids if i in corpus.articles))
        question["evidence_in_corpus"] = bool(question["evidence_ids"])
    if not questions:
        raise UserInputError(messages.KIT_NO_QUESTIONS.format(path=source))
    report.questions, report.articles = len(questions), len(corpus.articles)
    _write(out, questions, corpus, report, _commit(source))
    return report


def _week_questions(week: Week, corpus: Corpus, report: KitReport, seen: set[str]) -> list[dict[str, Any]]:
    """The week's questions whose id is not in `seen` (then added to it), their articles added to
    `corpus`; what is skipped is counted in `report`."""
    results = read_results(week.results, "gcs", report.notes)
    gold = read_results(week.gold, "gold", report.notes)
    kept: list[dict[str, Any]] = []
    for record in read_records(week.questions, report.notes):
        question = parse_question(record, week.day)
        if isinstance(question, dict) and question["id"] in seen:
            question = "question_id used by an earlier question"
        if isinstance(question, str):
            report.questions_skipped[question] += 1
            continue
        retrieved = (corpus.add(r, "gcs") for r in results.get(question["id"], []))
        question["retrieved_ids"] = list(dict.fromkeys(i for i in retrieved if i))
        for article in gold.get(question["id"], []):
            corpus.add(article, "gold")
        seen.add(question["id"])
        kept.append(question)
    return kept


def _write(out: Path, questions: list[dict[str, Any]], corpus: Corpus, report: KitReport,
           commit: str | None) -> None:
    out.mkdir(parents=True, exist_ok=True)
    articles = [a.to_json() for a in corpus.articles.values()]
    with gzip.GzipFile(out / CORPUS_NAMES[0], "wb", mtime=0) as packed:  # the same bytes on every build
        for article in articles:
            packed.write((json.dumps(article, ensure_ascii=False) + "\n").encode("utf-8"))
    with (out / QUESTIONS).open("w", encoding="utf-8") as lines:
        for question in questions:
            lines.write(json.dumps(question, ensure_ascii=False) + "\n")
    manifest = {
        "source": SOURCE_REPOSITORY, "source_commit": commit,
        "cite": "Kasai et al., RealTime QA: What's the Answer Right Now? (NeurIPS 2023 Datasets and "
                "Benchmarks); the article texts remain the property of their publishers.",
        **report.to_json(), "corpus_file": CORPUS_NAMES[0], "checks": _checks(questions, articles),
    }
    manifest.pop("out")
    (out / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _checks(questions: list[dict[str, Any]], articles: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "n_articles": len(articles), "n_questions": len(questions),
        "questions_with_evidence_links": sum(1 for q in questions if q["evidence_urls"]),
        "questions_evidence_in_corpus": sum(1 for q in questions if q["evidence_in_corpus"]),
        "questions_without_retrieved_articles": sum(1 for q in questions if not q["retrieved_ids"]),
        "questions_by_source": dict(Counter(str(q["source"]) for q in questions)),
        "articles_by_source": dict(Counter(a["source"] for a in articles)),
        "articles_by_origin": dict(Counter(a["origin"] for a in articles)),
        "published_from": dict(Counter(str(a["published_from"]) for a in articles)),
    }


def _commit(repository: Path) -> str | None:
    """The commit checked out in a git clone, read from `.git` (no git needed); None if unknown."""
    git = repository / ".git"
    try:
        head = (git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            return head or None
        ref = head.removeprefix("ref: ")
        if (git / ref).is_file():
            return (git / ref).read_text(encoding="utf-8").strip()
        packed = (git / "packed-refs").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    return next((line.split()[0] for line in packed if line.endswith(f" {ref}")), None)
