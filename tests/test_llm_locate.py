"""Locating a model's quote: drifts that change no fact are found at the archive's exact sentence;
planted near misses (a changed number, month, name or word, a "not" added or lost) never are.

The quotes are made from every sentence of the seed article and of the invented week in
tests/test_llm_local.py; `pytest -s tests/test_llm_locate.py` prints the figures (docs/llm.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

import pytest

from bot.llm.locate import locate
from index.models import Article, Passage
from language.dates import MONTH_NAMES
from language.sentences import sentence_spans
from tests.conftest import SEED_FILE
from tests.test_llm_local import WEEK


def articles() -> list[Article]:
    found = [Article(id="seed", title="seed", text=SEED_FILE.read_text(encoding="utf-8"), published=date(2022, 1, 6))]
    for name, (_, title, sentences) in WEEK.items():
        found.append(Article(id=name, title=title, text="\n".join(sentences), published=date(2022, 1, 6)))
    return found


def whole(article: Article) -> Passage:
    return Passage(chunk_id=f"{article.id}:0", article_id=article.id, text=article.text, start=0,
                   end=len(article.text), score=0.5, title=article.title, published=article.published,
                   url=None, source=None, path=None)


def sentences() -> Iterator[tuple[Article, tuple[int, int], str]]:
    for article in articles():
        for start, end in sentence_spans(article.text):
            text = article.text[start:end]
            if len(text.split()) >= 8 and not text.startswith(" date"):
                yield article, (start, end), text


_NAME = re.compile(r"(?<=\s)([A-Z][a-z]+(?:[ -][A-Z][a-z]+)*)")
_CAPITALISED_RUN = re.compile(r"\b((?:[A-Z][a-z]+ (?:for |of |and )?){2,}[A-Z][a-z]+)\b")
_LINK = re.compile(r"\b(was|were|is|are|did|has|had|will|would|could)\b")


def _names(text: str) -> list[str]:
    return [n for n in _NAME.findall(text) if n not in MONTH_NAMES]


# -- what a model does to a quote without changing its facts --------------------------------------

def _dropped_lead(text: str) -> str | None:
    comma = text.find(", ")
    if comma == -1 or comma > len(text) * 0.4:
        return None
    rest = text[comma + 2:]
    return rest[0].upper() + rest[1:]


def _pronoun(text: str) -> str | None:
    names = _names(text)
    return text.replace(names[0], "they", 1) if names else None


def _acronym(text: str) -> str | None:
    run = _CAPITALISED_RUN.search(text)
    if run is None:
        return None
    return text.replace(run.group(1), "".join(w[0] for w in run.group(1).split() if w[0].isupper()), 1)


DRIFTS: dict[str, Callable[[str], str | None]] = {
    "lower case": str.lower,
    "upper case": str.upper,
    "straight quotes": lambda t: t.replace("’", "'").replace("“", '"').replace("”", '"').replace("–", "-"),
    "spaces": lambda t: "  ".join(t.split()) + " ",
    "leading clause dropped": _dropped_lead,
    "a name as a pronoun": _pronoun,
    "a name as an acronym": _acronym,
    "ellipsis at the end": lambda t: " ".join(t.split()[: max(6, len(t.split()) * 2 // 3)]) + "…",
}


# -- what changes a fact ----------------------------------------------------------------------------

def _number(text: str) -> str | None:
    match = re.search(r"\d+", text)
    return text[:match.start()] + str(int(match.group()) + 1) + text[match.end():] if match else None


def _month(text: str) -> str | None:
    for n, month in enumerate(MONTH_NAMES):
        if month in text:
            return text.replace(month, MONTH_NAMES[(n + 1) % 12], 1)
    return None


def _other_name(text: str, others: list[str]) -> str | None:
    names = _names(text)
    swap = next((o for o in others if o not in text), None)
    return text.replace(names[-1], swap, 1) if names and swap else None


def _negated(text: str) -> str | None:
    match = _LINK.search(text)
    return text[:match.end()] + " not" + text[match.end():] if match else None


def _not_dropped(text: str) -> str | None:
    match = re.search(r"\b(not|never) ", text)
    return text[:match.start()] + text[match.end():] if match else None


def _other_word(text: str, others: list[str]) -> str | None:
    words = [w for w in re.findall(r"\b[a-z]{6,}\b", text)]
    swap = next((o for o in others if o not in text), None)
    return text.replace(max(words, key=len), swap, 1) if words and swap else None


def near_misses(text: str, article: Article) -> dict[str, str | None]:
    names = [n for n in _names(article.text) if len(n) > 3]
    words = sorted({w for w in re.findall(r"\b[a-z]{7,}\b", article.text)})
    return {
        "a number changed": _number(text),
        "a month changed": _month(text),
        "a name swapped": _other_name(text, names),
        "a 'not' added": _negated(text),
        "a 'not' dropped": _not_dropped(text),
        "a word swapped": _other_word(text, words),
    }


def measure() -> tuple[dict[str, list[bool]], dict[str, list[bool]]]:
    located: dict[str, list[bool]] = {}
    false: dict[str, list[bool]] = {}
    for article, (start, end), text in sentences():
        passage = whole(article)
        for kind, drift in DRIFTS.items():
            quote = drift(text)
            if quote is None or quote.strip() == text:
                continue
            citation = locate(quote, article, passage, min_chars=12)
            ok = citation is not None and citation.start < end and start < citation.end
            located.setdefault(kind, []).append(ok)
        for kind, quote in near_misses(text, article).items():
            if quote is not None and quote != text:
                false.setdefault(kind, []).append(locate(quote, article, passage, min_chars=12) is not None)
    return located, false


@pytest.fixture(scope="module")
def figures() -> tuple[dict[str, list[bool]], dict[str, list[bool]]]:
    located, false = measure()
    print("\nquotes that drift without changing a fact, located at their sentence:")
    for kind, results in located.items():
        print(f"  {kind:28} {sum(results):3} of {len(results)}")
    print("planted near misses, wrongly located:")
    for kind, results in false.items():
        print(f"  {kind:28} {sum(results):3} of {len(results)}")
    return located, false


def test_no_planted_near_miss_is_located(figures: tuple[dict[str, list[bool]], dict[str, list[bool]]]) -> None:
    _, false = figures
    assert sum(len(r) for r in false.values()) >= 80
    assert {k: sum(r) for k, r in false.items()} == {k: 0 for k in false}


def test_drifted_quotes_are_located_at_their_sentence(
    figures: tuple[dict[str, list[bool]], dict[str, list[bool]]],
) -> None:
    located, _ = figures
    assert sum(len(r) for r in located.values()) >= 150
    for kind, results in located.items():
        assert sum(results) >= 0.9 * len(results), kind


@pytest.mark.parametrize(("quote", "archive"), [
    ("Her detention was extended by a month.", "Brittney Griner's detention was extended by a month."),
    ("The CDC said the monkeypox outbreak was growing.",
     "The US Centers for Disease Control and Prevention said the monkeypox outbreak was growing."),
    ("The protests engulfed Almaty, where the police used flashbangs.",
     "Two days later, the protests engulfed Almaty, in the country’s southeast, where the police used flashbangs."),
])
def test_the_drifts_seen_with_a_real_local_model_are_located(quote: str, archive: str) -> None:
    article = Article(id="x", title="x", text=f"An earlier sentence stands here.\n{archive}\nA later one too.")
    citation = locate(quote, article, whole(article))
    assert citation is not None and citation.quote == archive


@pytest.mark.parametrize("quote", [
    "Her detention was extended by two months.",
    "The WHO said the monkeypox outbreak was growing.",
    "The protests engulfed Astana, where the police used flashbangs.",
    "The US Centers for Disease Control and Prevention said the monkeypox outbreak was not growing.",
])
def test_the_same_quotes_with_a_fact_changed_are_not(quote: str) -> None:
    archive = ("Brittney Griner's detention was extended by a month.\nThe US Centers for Disease Control and "
               "Prevention said the monkeypox outbreak was growing.\nTwo days later, the protests engulfed "
               "Almaty, in the country’s southeast, where the police used flashbangs.")
    article = Article(id="x", title="x", text=archive)
    assert locate(quote, article, whole(article)) is None
