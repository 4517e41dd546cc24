"""Every sentence newsdesk says to a user, in one place."""

NOT_IN_ARCHIVE = "Not in the archive: I found nothing that answers this question."
EMPTY_INDEX = "The archive is empty. Add articles with `newsdesk ingest PATH...` first."
EMPTY_QUESTION = "The question is empty. Ask something, e.g. newsdesk ask \"When did protests reach Almaty?\""
QUESTION_TOO_LONG = "The question is {length} characters long; the limit is {limit}. Ask something shorter."
BAD_DATE = "'{value}' is not a date: use YYYY-MM-DD, e.g. 2022-01-06."
ARTICLE_NOT_FOUND = "No article with id '{article_id}' in the archive."
INGEST_SEEDS_FIRST = "The archive is empty: ingesting the sample articles in {path} first."
CITATIONS_HEADING = "Sources"

# newsdesk eval
DATASET_NOT_FOUND = (
    "No dataset at {path}: give a gold JSONL file or a kit directory "
    "(corpus.jsonl.gz + questions.jsonl)."
)
KIT_WITH_CORPUS = "{path} is a kit: it brings its own corpus, so --corpus does not apply."
NOT_A_KIT = "{path} is a directory but not an eval kit: {missing} is missing."
BAD_DATASET_RECORD = "{path}, line {line}: {reason}"
UNREADABLE_DATASET = "Cannot read {path}: {reason}"
EMPTY_DATASET = "{path} holds no questions."
NO_CHOICES = "No question in {path} has choices, so --mode choices has nothing to ask."
CORPUS_UNUSABLE = "No article could be read from {corpus}: {reason}"
CORPUS_NOT_FOUND = "The articles for this gold set are not at {path}; pass them with --corpus PATH."
EVAL_EMPTY_ARCHIVE = (
    "The archive in {home} is empty, so a gold set has nothing to be answered from. "
    "Ingest the articles first, or pass them with --corpus PATH."
)
EVAL_INDEX_MISMATCH = (
    "The eval index of {corpus} in this data directory was built with other settings than this "
    "run's ({wanted}). Use the settings it was built with, or another --data-dir."
)
BAD_BASELINE = (
    "{path} is not a newsdesk eval report (no 'metrics' object); pass a file written by "
    "`newsdesk eval --json PATH`."
)
CANNOT_WRITE_REPORT = "Cannot write the report to {path}: {reason}"
BASELINE_NOT_FOUND = "No baseline report at {path}."
BASELINE_OTHER_DATASET = "note: the baseline report was made on {theirs}, this run on {ours}."
CITATIONS_INVALID = (
    "FAIL citation validity {value}: {invalid} of {total} citation(s) do not equal the stored "
    "text at their offsets (a bug; see 'citations' with \"valid\": false in the JSON report)."
)
REGRESSION = "FAIL {metric} dropped from {old} to {new} (more than the {tolerance} tolerance)."
REGRESSION_NONE = "No headline metric dropped by more than {tolerance} against {path}."
METRIC_GONE = "note: {metric} was {old} in the baseline and is not measured in this run."
