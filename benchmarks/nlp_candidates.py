"""spaCy annotation (ingest/nlp.py) for the extractive answerer: speed, answer-candidate recall on
the dev kit, and sentence boundaries compared with the current splitter.

    nice -n 5 python benchmarks/nlp_candidates.py [--limit N] [--rounds 3] [--cold-runs 3]
        [--skip-speed] [--skip-recall] [--cache FILE] [--show-misses N] [--kit DIR]

Speed (`--skip-speed` to leave out): import + load in fresh interpreters; then question-sized
batches (12 chunks of the dev corpus cut by newsdesk's own chunker, 160 tokens) through five
pipelines in one process, interleaved over --rounds so that the machine's load hits them alike:
full (every default component), needed (ingest.nlp: no lemmatizer), no-parser (senter for
sentences, noun chunks from part-of-speech patterns), ner+senter, ner alone. Also batch sizes
for a corpus-sized run, the extrapolation to the dev corpus's 67,242 chunks, the JSON size of
entity spans per chunk, and how many parser noun chunks the part-of-speech patterns reproduce.

Recall (`--skip-recall` to leave out): for the first --limit questions (all by default; "...
except:" questions left out, their answer is the choice the text does not support), the gold
answer is looked up (case-insensitive, whole words, surrounding quotes ignored) in the sentences
(language.sentences, NLTK punkt) of the question's retrieved and evidence articles. Those articles
are annotated whole, and each answer-bearing sentence's candidates are compared with the gold
answer after light normalisation (case, surrounding punctuation and quotes, a leading "the"):
spaCy entities, noun chunks, both with numbers-with-units, and the current rules
(bot.extractive.spans.candidates and the answerer's date and fill-in readers) for the question's own kind
and for every kind. Then how often spaCy's label for the gold entity is the kind the question
asks for, why candidates miss, and sentence boundaries: spaCy's against punkt's at every gold
answer. --cache keeps the annotations of a run in a file so a second run skips spaCy.
--show-misses N prints N missed gold answers with their sentences (kit text: for reading on the
terminal, never for copying into code or docs).
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import re
import statistics
import subprocess
import sys
import time
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from common import DEV_CORPUS, REPO, header

KIT = {"dir": DEV_CORPUS.parent}
DEV_CHUNKS = 67_242  # the dev corpus cut by the default chunker (benchmarks/README.md)
QUESTION_PASSAGES = 12  # passages the answerer reads per question (AnswerSettings.passages)

# What kind of entity each answer type asks for (a type-fit feature would test this).
EXPECTED_LABELS = {
    "person": {"PERSON"},
    "organization": {"ORG"},
    "place": {"GPE", "LOC", "FAC"},
    "date": {"DATE", "TIME"},
    "number": {"CARDINAL", "PERCENT", "MONEY", "QUANTITY", "ORDINAL"},
    "quantity": {"MONEY", "QUANTITY", "PERCENT", "CARDINAL"},
}
EXPECTED_BY_WH = {
    "who": {"PERSON", "ORG", "NORP"},
    "where": {"GPE", "LOC", "FAC"},
    "when": {"DATE", "TIME"},
    "how_many": {"CARDINAL", "PERCENT", "MONEY", "QUANTITY"},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=0, help="first N kit questions (0: all)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold-runs", type=int, default=3)
    parser.add_argument("--speed-batches", type=int, default=20, help="question-sized batches timed")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-recall", action="store_true")
    parser.add_argument("--cache", type=Path, help="annotations of the recall run, reused if present")
    parser.add_argument("--show-misses", type=int, default=0)
    parser.add_argument("--show-splits", type=int, default=0, help="print N sentences split differently")
    parser.add_argument("--raw-sample", type=int, default=100,
                        help="articles whose raw parser sentences are compared too")
    parser.add_argument("--kit", type=Path, default=DEV_CORPUS.parent,
                        help="the dev kit's directory (default: ../shared/evals/realtimeqa-dev)")
    args = parser.parse_args()
    KIT["dir"] = args.kit
    header(f"spaCy annotation for answer candidates (limit {args.limit or 'all'})")
    from ingest.nlp import model_package

    print(f"model package: {model_package()}")
    if not args.skip_speed:
        cold_start(args.cold_runs)
        speed(args.rounds, args.speed_batches)
    if not args.skip_recall:
        recall(args.limit, args.cache, args.show_misses, args.show_splits, args.raw_sample)


# ---------------------------------------------------------------------------------------------
# Speed


_COLD = """
import json, sys, time
t0 = time.perf_counter()
if sys.argv[1] == "after-torch":  # the torch encoder backend has imported torch already
    import torch
t1 = time.perf_counter()
import ingest.nlp
t2 = time.perf_counter()
import spacy
t3 = time.perf_counter()
ingest.nlp.load_pipeline()
t4 = time.perf_counter()
ingest.nlp.annotate(["Maria Lopez opened a bakery in Lyon on Monday."])
t5 = time.perf_counter()
print(json.dumps({"import torch": t1 - t0, "import ingest.nlp": t2 - t1, "import spacy": t3 - t2,
                  "load": t4 - t3, "first text": t5 - t4}))
"""


def cold_start(runs: int) -> None:
    """spaCy's import is mostly thinc importing torch: a process that has torch already (the
    torch encoder backend) pays much less than one that does not (onnx backends)."""
    for variant, title in (("alone", "nothing imported before"), ("after-torch", "torch imported first")):
        print(f"\n## cold start, {title} (fresh interpreter each run)")
        phases: dict[str, list[float]] = defaultdict(list)
        for _ in range(runs):
            done = subprocess.run([sys.executable, "-c", _COLD, variant], capture_output=True, text=True,
                                  check=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
            for name, value in json.loads(done.stdout).items():
                phases[name].append(value)
        spacy_total = [sum(v) for v in zip(*(phases[k] for k in phases if k != "import torch"))]
        for name, values in [*phases.items(), ("spaCy total", spacy_total)]:
            print(f"{name:<16} median {statistics.median(values):.3f} s  range {min(values):.3f}-{max(values):.3f}")


def question_chunks(n_chunks: int) -> list[tuple[int, str]]:
    """(article offset, text) of the first chunks of the dev corpus, one article after another,
    cut by newsdesk's chunker with the default settings (160 tiktoken tokens)."""
    from tokenizers import Tokenizer

    from index.encoders.offline import bundled_model_path, go_offline
    from index.models import Article
    from ingest.chunking import create_chunker

    go_offline()
    tokenizer = Tokenizer.from_file(str(bundled_model_path() / "tokenizer.json"))
    tokenizer.no_truncation()

    def count(texts: Sequence[str]) -> list[int]:
        return [len(e.ids) for e in tokenizer.encode_batch(list(texts))]

    chunker = create_chunker(160, 0, "cl100k_base", 256, count)
    out: list[tuple[int, str]] = []
    for record in articles_in_order():
        article = Article(record["id"], record.get("title") or "", record["text"])
        out.extend((c.start, c.text) for c in chunker.chunk(article))
        if len(out) >= n_chunks:
            break
    return out[:n_chunks]


def articles_in_order() -> Iterable[dict[str, Any]]:
    with gzip.open(KIT["dir"] / "corpus.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def pos_chunks(doc: Any) -> list[tuple[int, int]]:
    """Noun chunks without a parser: an optional determiner, then adjectives, numbers and
    nouns ending in a noun ("the new oat milk", "3 countries")."""
    spans: list[tuple[int, int]] = []
    i, n = 0, len(doc)
    while i < n:
        j = i + 1 if doc[i].tag_ in ("DT", "PRP$", "PDT") else i
        k, last = j, None
        while k < n and (doc[k].pos_ in ("ADJ", "NUM", "NOUN", "PROPN") or doc[k].tag_ in ("HYPH", "POS")):
            if doc[k].pos_ in ("NOUN", "PROPN"):
                last = k
            k += 1
        if last is None:
            i = max(i + 1, k)
            continue
        spans.append((doc[i].idx, doc[last].idx + len(doc[last].text)))
        i = last + 1
    return spans


def speed(rounds: int, n_batches: int) -> None:
    import spacy

    from ingest.nlp import load_pipeline, model_package
    from language.sentences import sentence_spans

    print(f"\n## speed: {n_batches} question-sized batches of {QUESTION_PASSAGES} chunks, {rounds} rounds")
    chunks = question_chunks(n_batches * QUESTION_PASSAGES)
    texts = [text for _, text in chunks]
    n_sentences = sum(len(sentence_spans(t)) for t in texts)
    words = sum(len(t.split()) for t in texts)
    print(f"{len(texts)} chunks, {n_sentences} punkt sentences ({n_sentences / n_batches:.0f} per batch), "
          f"{words} words ({words / len(texts):.0f} per chunk)")

    name = model_package()
    assert name is not None
    minimal = ["tok2vec", "tagger", "attribute_ruler", "parser", "lemmatizer"]
    pipelines: dict[str, Any] = {
        "full": spacy.load(name),
        "needed (ingest.nlp)": load_pipeline(),
        "no-parser (senter)": spacy.load(name, exclude=["parser", "lemmatizer"]),
        "ner+senter": spacy.load(name, exclude=minimal),
        "ner": spacy.load(name, exclude=[*minimal, "senter"]),
    }
    for nlp in pipelines.values():
        if "senter" in nlp.component_names and "parser" not in nlp.pipe_names:
            nlp.enable_pipe("senter")
    for label, nlp in pipelines.items():
        print(f"  {label:<20} {', '.join(nlp.pipe_names)}")
        list(nlp.pipe(texts[:QUESTION_PASSAGES]))  # warm up

    per_batch: dict[str, list[float]] = defaultdict(list)
    totals: dict[str, list[float]] = defaultdict(list)
    for _ in range(rounds):
        for label, nlp in pipelines.items():
            begun = time.perf_counter()
            for b in range(n_batches):
                one = time.perf_counter()
                docs = list(nlp.pipe(texts[b * QUESTION_PASSAGES:(b + 1) * QUESTION_PASSAGES],
                                     batch_size=QUESTION_PASSAGES, n_process=1))
                if "parser" in nlp.pipe_names:
                    for doc in docs:
                        list(doc.noun_chunks)
                elif "tagger" in nlp.pipe_names:
                    for doc in docs:
                        pos_chunks(doc)
                per_batch[label].append(time.perf_counter() - one)
            totals[label].append(time.perf_counter() - begun)
    base = statistics.median(totals["full"])
    print(f"\n{'pipeline':<20} {'ms/batch p50':>12} {'p90':>6} {'sentences/s':>12} {'chunks/s':>9} {'vs full':>8}")
    for label in pipelines:
        ms = sorted(1000 * t for t in per_batch[label])
        total = statistics.median(totals[label])
        print(f"{label:<20} {statistics.median(ms):12.0f} {ms[int(0.9 * (len(ms) - 1))]:6.0f} "
              f"{n_sentences / total:12.0f} {len(texts) / total:9.1f} {base / total:7.2f}x")
    needed = statistics.median(totals["needed (ingest.nlp)"])
    print(f"ms per 100 sentences (needed): {100_000 * needed / n_sentences:.0f}")

    print("\n## batch size, needed pipeline, all chunks in one nlp.pipe call")
    nlp = pipelines["needed (ingest.nlp)"]
    rates: dict[int, list[float]] = defaultdict(list)
    for _ in range(rounds):
        for size in (4, 16, 64, 256):
            begun = time.perf_counter()
            list(nlp.pipe(texts, batch_size=size, n_process=1))
            rates[size].append(len(texts) / (time.perf_counter() - begun))
    for size, values in rates.items():
        print(f"batch_size {size:>4}: {statistics.median(values):6.1f} chunks/s")
    best = max(statistics.median(v) for v in rates.values())
    print(f"dev corpus at ingest ({DEV_CHUNKS:,} chunks) at {best:.1f} chunks/s: "
          f"{DEV_CHUNKS / best / 60:.1f} min on one process")

    print("\n## storage: entity spans per chunk as JSON (article offsets, as chunk sentences are stored)")
    from ingest.nlp import annotate

    annotations = annotate(texts)
    entity_bytes, chunk_bytes, n_entities = [], [], []
    for (offset, _), annotation in zip(chunks, annotations):
        ents = [[offset + e.start, offset + e.end, e.label] for e in annotation.entities]
        nps = [[offset + a, offset + b] for a, b in annotation.noun_chunks]
        entity_bytes.append(len(json.dumps(ents, separators=(",", ":")).encode()))
        chunk_bytes.append(len(json.dumps(nps, separators=(",", ":")).encode()))
        n_entities.append(len(ents))
    print(f"entities per chunk: mean {statistics.mean(n_entities):.1f}, max {max(n_entities)}")
    stored = [json.dumps([[offset + e.start, offset + e.end, e.label] for e in a.entities], separators=(",", ":"))
              for (offset, _), a in zip(chunks, annotations)]
    reads = []
    for b in range(n_batches):
        begun = time.perf_counter()
        for value in stored[b * QUESTION_PASSAGES:(b + 1) * QUESTION_PASSAGES]:
            json.loads(value)
        reads.append(1000 * (time.perf_counter() - begun))
    print(f"reading them back for one question ({QUESTION_PASSAGES} chunks, json.loads): "
          f"{statistics.median(reads):.3f} ms")
    for label, values in (("entities", entity_bytes), ("noun chunks", chunk_bytes)):
        data = sorted(values)
        print(f"{label:<12} bytes/chunk mean {statistics.mean(data):.0f}, p95 {data[int(0.95 * (len(data) - 1))]}, "
              f"dev corpus {statistics.mean(data) * DEV_CHUNKS / 1e6:.1f} MB")

    print("\n## noun chunks without the parser: part-of-speech patterns vs the parser's chunks")
    tagged = list(pipelines["no-parser (senter)"].pipe(texts))
    same = found = 0
    for doc, annotation in zip(tagged, annotations):
        parsed = set(annotation.noun_chunks)
        patterned = set(pos_chunks(doc))
        same += len(parsed & patterned)
        found += len(patterned)
        # Chunks the patterns give that the parser does not are counted in `found` only.
    total_parsed = sum(len(a.noun_chunks) for a in annotations)
    print(f"parser chunks {total_parsed}, pattern chunks {found}, identical {same} "
          f"({same / max(total_parsed, 1):.1%} of the parser's)")


# ---------------------------------------------------------------------------------------------
# Recall


_QUOTES = " \t\n\"'“”‘’«».,;:!?()[]"


def normal(text: str) -> str:
    """Case, surrounding punctuation and quotes, a leading "the", spacing."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'").lower().strip(_QUOTES)
    text = re.sub(r"^the\s+", "", text)
    return " ".join(text.split())


def needle(answer: str) -> re.Pattern[str] | None:
    core = _flat(answer).strip(_QUOTES)
    if not core:
        return None
    # Whole words and whole numbers: "$5" is not in "$5.75", nor "12" in "1,200".
    return re.compile(r"(?<![\w.,])" + re.escape(core) + r"(?!\w|[.,]\d)", re.IGNORECASE)


@dataclass
class Occurrence:
    """The gold answer at [start, end) of an article, inside punkt sentence [s_start, s_end)."""

    article: str
    start: int
    end: int
    s_start: int
    s_end: int


@dataclass
class Item:
    qid: str
    question: str
    answer: str
    wh: str
    kind: str
    occurrences: list[Occurrence] = field(default_factory=list)
    cut_by_punkt: int = 0  # occurrences that cross a punkt sentence boundary


def _flat(text: str) -> str:
    return text.replace("’", "'")  # same length: offsets hold in the raw text


def gather(limit: int) -> tuple[list[Item], dict[str, dict[str, Any]]]:
    from evals.dataset import guess_type, is_except_question
    from language.question import analyse
    from language.sentences import sentence_spans

    questions = [json.loads(line) for line in (KIT["dir"] / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = questions[:limit] if limit else questions
    wanted = {a for q in questions for a in q["retrieved_ids"] + q["evidence_ids"]}
    articles = {r["id"]: r for r in articles_in_order() if r["id"] in wanted}
    sentences: dict[str, list[tuple[int, int]]] = {}
    items: list[Item] = []
    for q in questions:
        if is_except_question(q["question"]):
            continue
        pattern = needle(q["answer"])
        item = Item(q["id"], q["question"], q["answer"], guess_type(q["question"]), analyse(q["question"]).kind.value)
        items.append(item)
        if pattern is None:
            continue
        for aid in dict.fromkeys(q["retrieved_ids"] + q["evidence_ids"]):
            record = articles.get(aid)
            if record is None:
                continue
            text = _flat(record["text"])
            for m in pattern.finditer(text):
                spans = sentences.setdefault(aid, sentence_spans(record["text"]))
                inside = [s for s in spans if s[0] <= m.start() and m.end() <= s[1]]
                if inside:
                    item.occurrences.append(Occurrence(aid, m.start(), m.end(), *inside[0]))
                else:
                    item.cut_by_punkt += 1
    return items, articles


def rule_texts(sentence: str, item: Item, kinds: Sequence[str], published: date | None) -> set[str]:
    """What the current answerer can answer from this sentence for each kind: the spans of
    bot.extractive.spans.candidates (as the answerer reshapes them), dates, fill-ins."""
    from bot.extractive.spans import candidates, continuation_span
    from evals.scoring_form import bare_count
    from language.dates import resolve_dates
    from language.gazetteer import person_name
    from language.kinds import AnswerType
    from language.question import analyse, asking_clause

    info = analyse(item.question)
    out: set[str] = set()
    for kind_name in kinds:
        kind = AnswerType(kind_name)
        if kind is AnswerType.DATE:
            for mention in resolve_dates(sentence, published):
                out.update((mention.text, mention.formatted()))
        elif kind is AnswerType.CONTINUATION:
            found = continuation_span(sentence, asking_clause(item.question).rstrip(":.… "))
            if found:
                out.add(sentence[found[0]:found[1]])
        else:
            for span in candidates(sentence, kind, info.terms, phrases=True):
                out.add(span.text)
                if kind is AnswerType.PERSON:
                    out.add(person_name(span.text))
                if kind is AnswerType.NUMBER:
                    out.add(bare_count(span.text))
    return out


def recall(limit: int, cache: Path | None, show_misses: int, show_splits: int, raw_sample: int) -> None:
    from bot.extractive.spans import number_spans
    from ingest.nlp import Annotation, iter_annotations
    from language.kinds import AnswerType

    began = time.perf_counter()
    items, articles = gather(limit)
    bearing = [i for i in items if i.occurrences]
    needed_ids = sorted({o.article for i in bearing for o in i.occurrences})
    print(f"\n## candidate recall: {len(items)} questions (no '... except:'), "
          f"{len(bearing)} with the answer inside a punkt sentence of a retrieved/evidence article; "
          f"{sum(len(i.occurrences) for i in bearing)} answer occurrences in {len(needed_ids)} articles")

    annotations: dict[str, Annotation] = {}
    if cache and cache.is_file():
        annotations = pickle.loads(cache.read_bytes())
    todo = [a for a in needed_ids if a not in annotations]
    if todo:
        began_nlp = time.perf_counter()
        texts = (articles[a]["text"] for a in todo)
        for aid, annotation in zip(todo, iter_annotations(texts, batch_size=16)):
            annotations[aid] = annotation
        spent = time.perf_counter() - began_nlp
        chars = sum(len(articles[a]["text"]) for a in todo)
        print(f"annotated {len(todo)} whole articles ({chars / 1e6:.1f} M characters) in {spent:.0f} s")
        if cache:
            cache.write_bytes(pickle.dumps(annotations))

    all_kinds = [k.value for k in AnswerType if k not in (AnswerType.YESNO, AnswerType.DESCRIPTION)]
    methods = ("entities", "noun chunks", "noun chunks, no determiner", "ents+chunks+numbers",
               "ents+chunks+numbers+pairs", "rules, own kind", "rules, all kinds", "rules + ents+chunks+numbers")
    hit: dict[str, dict[str, bool]] = {m: {} for m in methods}
    sentence_hits: Counter[str] = Counter()
    sizes: Counter[str] = Counter()  # distinct candidates, summed over sentences
    n_sentences = 0
    label_kept: dict[str, bool] = {}  # qid: the gold entity has an expected label in some sentence
    label_of: dict[str, str] = {}
    narrowing: list[tuple[int, int, bool]] = []  # entities in sentence, with the expected label, gold kept
    misses: Counter[str] = Counter()
    first_miss: dict[str, tuple[str, str, list[str]]] = {}  # qid: cause, sentence, spans over the gold
    seen_sentences: set[tuple[str, str, int, int]] = set()
    for item in bearing:
        gold = normal(item.answer)
        labels: Counter[str] = Counter()
        for occ in item.occurrences:
            key = (item.qid, occ.article, occ.s_start, occ.s_end)
            if key in seen_sentences:
                continue
            seen_sentences.add(key)
            n_sentences += 1
            record = articles[occ.article]
            text = record["text"]
            sentence = text[occ.s_start:occ.s_end]
            annotation = annotations[occ.article]
            inside = [e for e in annotation.entities if occ.s_start <= e.start and e.end <= occ.s_end]
            ents = {text[e.start:e.end] for e in inside}
            chunk_spans = [(a, b) for a, b in annotation.noun_chunks if occ.s_start <= a and b <= occ.s_end]
            chunks = {text[a:b] for a, b in chunk_spans}
            bare = {_without_determiner(c) for c in chunks}
            numbers = {sentence[a:b] for unit in (True, False) for a, b in number_spans(sentence, with_unit=unit)}
            published = date.fromisoformat(record["published"]) if record.get("published") else None
            own = rule_texts(sentence, item, [item.kind], published)
            every = rule_texts(sentence, item, all_kinds, published)
            pairs = {text[a:b] for a, b in _coordinated(text, inside)}
            sets = {
                "entities": ents, "noun chunks": chunks, "noun chunks, no determiner": bare,
                "ents+chunks+numbers": ents | chunks | bare | numbers,
                "ents+chunks+numbers+pairs": ents | chunks | bare | numbers | pairs,
                "rules, own kind": own, "rules, all kinds": every,
                "rules + ents+chunks+numbers": every | ents | chunks | bare | numbers,
            }
            for method, found in sets.items():
                normalised = {normal(t) for t in found}
                sizes[method] += len(normalised)
                ok = gold in normalised
                hit[method][item.qid] = hit[method].get(item.qid, False) or ok
                sentence_hits[method] += ok
            for e in inside:
                if normal(text[e.start:e.end]) == gold:
                    labels[e.label] += 1
            expected = EXPECTED_LABELS.get(item.kind)
            if expected and gold in {normal(t) for t in ents}:
                kept = [e for e in inside if e.label in expected]
                survived = any(normal(text[e.start:e.end]) == gold for e in kept)
                narrowing.append((len(inside), len(kept), survived))
                label_kept[item.qid] = label_kept.get(item.qid, False) or survived
            if gold not in {normal(t) for t in sets["ents+chunks+numbers"]}:
                spans = [(e.start, e.end) for e in inside] + chunk_spans
                cause = _miss_cause((occ.start, occ.end), spans, item.answer)
                misses[cause] += 1
                over = [text[a:b] for a, b in spans if a < occ.end and occ.start < b]
                first_miss.setdefault(item.qid, (cause, sentence, over))
        if labels:
            label_of[item.qid] = labels.most_common(1)[0][0]

    n = len(bearing)
    print(f"\n{'candidates':<30} {'questions':>15} {'sentences':>16} {'candidates/sentence':>20}")
    for method in methods:
        q_hits = sum(hit[method].values())
        print(f"{method:<30} {q_hits:5d} ({q_hits / n:5.1%}) {sentence_hits[method]:6d} "
              f"({sentence_hits[method] / n_sentences:5.1%}) {sizes[method] / n_sentences:20.1f}")
    print(f"(of {n} questions, {n_sentences} answer-bearing sentences)")

    for title, group in (("question type (evals.dataset.guess_type)", lambda i: i.wh),
                         ("AnswerType (bot.question.analyse)", lambda i: i.kind)):
        _by_group(title, bearing, group, hit, methods)

    print("\n## spaCy's label on the gold answer, when the gold answer is an entity")
    _labels_table(bearing, label_of, lambda i: i.kind, EXPECTED_LABELS, "AnswerType")
    _labels_table(bearing, label_of, lambda i: i.wh, EXPECTED_BY_WH, "question type")
    if narrowing:
        total = sum(a for a, _, _ in narrowing)
        kept = sum(b for _, b, _ in narrowing)
        gold_kept = sum(c for _, _, c in narrowing)
        print(f"label filter (sentences whose gold is an entity, typed questions): entities per sentence "
              f"{total / len(narrowing):.2f} -> {kept / len(narrowing):.2f} with the expected label; "
              f"gold kept in {gold_kept}/{len(narrowing)} sentences ({gold_kept / len(narrowing):.1%}), "
              f"in some sentence of {sum(label_kept.values())}/{len(label_kept)} questions")

    print("\n## why ents+chunks+numbers miss (answer-bearing sentences)")
    for cause, count in misses.most_common():
        print(f"{count:5d}  {cause}")
    missed = [i for i in bearing if not hit["ents+chunks+numbers"][i.qid]]
    print(f"\nquestions missed by ents+chunks+numbers: {len(missed)}, by cause in their first sentence:")
    for cause, count in Counter(first_miss[i.qid][0] for i in missed).most_common():
        print(f"{count:5d}  {cause}")
    only_rules = sum(hit["rules, all kinds"][i.qid] for i in missed)
    only_spacy = sum(hit["ents+chunks+numbers"][i.qid] and not hit["rules, all kinds"][i.qid] for i in bearing)
    print(f"found by the rules (all kinds) but not by spaCy: {only_rules}; by spaCy but not the rules: {only_spacy}")
    for item in missed[:show_misses]:
        cause, sentence, over = first_miss[item.qid]
        print(f"  [{item.kind}/{cause}] {item.answer!r}; spans over it {over}; rules found: "
              f"{hit['rules, all kinds'][item.qid]}\n    {sentence[:300]!r}")
    for item in [i for i in bearing if hit["ents+chunks+numbers"][i.qid] and not hit["rules, all kinds"][i.qid]][:show_misses]:
        print(f"  [spaCy only, {item.kind}] {item.answer!r}")

    split_check(bearing, articles, annotations, show_splits, raw_sample)
    print(f"\nrecall section: {time.perf_counter() - began:.0f} s")


def _coordinated(text: str, entities: Sequence[Any]) -> list[tuple[int, int]]:
    """Runs of entities of one label joined by "and" / commas: "Sweden and Finland"."""
    spans: list[tuple[int, int]] = []
    run = list(entities[:1])
    for e in [*entities[1:], None]:
        if e is not None and e.label == run[-1].label and re.fullmatch(r",?\s+(?:and|&)\s+|,\s+", text[run[-1].end:e.start]):
            run.append(e)
            continue
        if len(run) > 1:
            spans.append((run[0].start, run[-1].end))
        run = [e] if e is not None else []
    return spans


_DETERMINER = re.compile(r"^(?:a|an|the|this|that|these|those|his|her|its|their|our|my|your|some|"
                         r"another|every|each|all|both)\s+", re.I)


def _without_determiner(chunk: str) -> str:
    return _DETERMINER.sub("", chunk)


def _miss_cause(gold: tuple[int, int], spans: list[tuple[int, int]], answer: str) -> str:
    a, b = gold
    words = len(answer.split())
    shape = ("number" if re.search(r"\d", answer) else "capitalised" if answer.strip(_QUOTES)[:1].isupper()
             else "lower-case") + (", 5+ words" if words >= 5 else "")
    if any(s <= a and b <= e for s, e in spans):
        return f"inside a longer span ({shape})"
    if any(a <= s and e <= b for s, e in spans):
        return f"longer than any span ({shape})"
    if any(s < b and a < e for s, e in spans):
        return f"overlaps a span's edge ({shape})"
    return f"no span overlaps ({shape})"


def _by_group(title: str, items: list[Item], group: Callable[[Item], str], hit: dict[str, dict[str, bool]],
              methods: Sequence[str]) -> None:
    print(f"\n### by {title}")
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        groups[group(item)].append(item)
    short = ["ents", "chunks", "chunks-det", "ents+ch+num", "+pairs", "rules own", "rules all", "rules+spaCy"]
    print(f"{'':<14} {'n':>4} " + " ".join(f"{s:>11}" for s in short))
    for name, members in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        cells = [sum(hit[m][i.qid] for i in members) / len(members) for m in methods]
        print(f"{name:<14} {len(members):4d} " + " ".join(f"{c:11.1%}" for c in cells))


def _labels_table(items: list[Item], label_of: dict[str, str], group: Callable[[Item], str],
                  expected: dict[str, set[str]], title: str) -> None:
    print(f"\n### by {title}: gold entity's label (most common over its sentences)")
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for item in items:
        if item.qid in label_of:
            groups[group(item)][label_of[item.qid]] += 1
    for name, labels in sorted(groups.items(), key=lambda kv: -sum(kv[1].values())):
        total = sum(labels.values())
        want = expected.get(name)
        agree = f"agrees {sum(labels[x] for x in want) / total:6.1%}" if want else " " * 13
        top = ", ".join(f"{label} {count}" for label, count in labels.most_common(6))
        print(f"{name:<14} {total:4d}  {agree}  {top}")


# ---------------------------------------------------------------------------------------------
# Sentence boundaries


def split_check(items: list[Item], articles: dict[str, dict[str, Any]], annotations: dict[str, Any],
                show: int, raw_sample: int) -> None:
    """ingest.nlp's sentences (the parser's, cut at line breaks, closing quotes kept) and, on the
    first `raw_sample` articles, the parser's own, against punkt's at every gold answer."""
    from ingest.nlp import load_pipeline

    print("\n## sentence boundaries at gold answers: spaCy vs punkt (language.sentences)")
    print(f"answer occurrences that punkt cuts in two (left out below): {sum(i.cut_by_punkt for i in items)}")
    module = {aid: list(a.sentences) for aid, a in annotations.items()}
    _compare("ingest.nlp sentences", items, articles, module, show)
    sample = sorted(annotations)[:raw_sample]
    docs = load_pipeline().pipe((articles[a]["text"] for a in sample), batch_size=16)
    raw = {aid: [(s.start_char, s.end_char) for s in doc.sents] for aid, doc in zip(sample, docs)}
    raw = {aid: [t for a, b in spans if (t := _trim(articles[aid]["text"], a, b))] for aid, spans in raw.items()}
    _compare(f"parser's own sentences ({len(sample)} articles)", [i for i in items], articles, raw, 0)


def _compare(title: str, items: list[Item], articles: dict[str, dict[str, Any]],
             sentences: dict[str, list[tuple[int, int]]], show: int) -> None:
    from language.sentences import sentence_spans

    kinds: Counter[str] = Counter()
    for item in items:
        for occ in item.occurrences:
            if occ.article not in sentences:
                continue
            text = articles[occ.article]["text"]
            holding = [s for s in sentences[occ.article] if s[0] <= occ.start < s[1]]
            if not holding or occ.end > holding[0][1]:
                kinds["spaCy cuts the answer in two"] += 1
                continue
            (a, b), (pa, pb) = holding[0], (occ.s_start, occ.s_end)
            kind = ("same span" if (a, b) == (pa, pb)
                    else "spaCy starts later (lead-in or dateline split off)" if b == pb and a > pa
                    else "spaCy ends earlier (splits a punkt sentence)" if a == pa and b < pb
                    else "spaCy longer (joins punkt sentences)" if a <= pa and pb <= b
                    else "other")
            kinds[kind] += 1
            if kind != "same span" and show > 0:
                show -= 1
                print(f"  [{kind}]\n  punkt: {text[pa:pb]!r}\n  spaCy: {text[a:b]!r}")
    total = sum(kinds.values())
    print(f"\n{title}: {total} answer occurrences")
    for kind, count in kinds.most_common():
        print(f"{count:6d} ({count / total:5.1%})  {kind}")
    n_p = n_s = shared = crossing = tiny_s = tiny_p = 0
    for aid, spans in sentences.items():
        text = articles[aid]["text"]
        punkt = sentence_spans(text)
        n_p += len(punkt)
        n_s += len(spans)
        shared += len(set(punkt) & set(spans))
        crossing += sum("\n" in text[a:b] for a, b in spans)
        tiny_s += sum(len(text[a:b].split()) <= 2 for a, b in spans)
        tiny_p += sum(len(text[a:b].split()) <= 2 for a, b in punkt)
    print(f"whole articles ({len(sentences)}): punkt {n_p} sentences, spaCy {n_s}; identical spans {shared} "
          f"({shared / n_p:.1%} of punkt's); spaCy sentences across a line break {crossing} "
          f"({crossing / n_s:.1%}); of 1-2 words: spaCy {tiny_s} ({tiny_s / n_s:.1%}), punkt {tiny_p} "
          f"({tiny_p / n_p:.1%})")


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    piece = text[start:end]
    left, right = len(piece) - len(piece.lstrip()), len(piece.rstrip())
    return (start + left, start + right) if right > left else None


if __name__ == "__main__":
    main()
