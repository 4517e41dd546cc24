"""Every sentence newsdesk says to a user, in one place."""

NOT_IN_ARCHIVE = "Not in the archive: I found nothing that answers this question."
EMPTY_INDEX = "The archive is empty. Add articles with `newsdesk ingest PATH...` first."
INTERRUPTED = "interrupted"
EMPTY_QUESTION = "The question is empty. Ask something, e.g. newsdesk ask \"When did protests reach Almaty?\""
QUESTION_TOO_LONG = "The question is {length} characters long; the limit is {limit}. Ask something shorter."
SHAPE_WITH_CHOICES = "--shape {shape} cannot be used with --choice: a question with choices picks one of them."
BAD_DATE = "'{value}' is not a date: use YYYY-MM-DD, e.g. 2022-01-06."
ARTICLE_NOT_FOUND = (
    "No article with id '{article_id}' in the archive. Find ids with `newsdesk articles` "
    "(e.g. --title WORDS)."
)
ARTICLE_NOT_FROM_PATH = (
    "No stored article came from {path}. Find ids with `newsdesk articles` (e.g. --path {name})."
)
ARTICLE_PATH_HOLDS_MANY = "{path} holds {count:,} stored articles; show one with `newsdesk article ID`:"
ARTICLE_PATH_MORE = "… and {count:,} more: newsdesk articles --path {name} --limit 0"
# newsdesk articles
ARTICLES_NO_MATCH = "No stored article matches these filters ({total:,} in the archive)."
ARTICLES_MORE = "showing {shown:,} of {total:,}; use --limit N for more (--limit 0 for all)"
ARTICLES_NO_TEXT = "--text needs words to look for in the stored texts, e.g. --text \"port reopened\"."
BAD_DATE_RANGE = "--since {since} is after --until {until}, so no article can match."
# newsdesk forget
FORGET_UNKNOWN = "'{given}' is neither the id of a stored article nor the path of a file or folder they came from."
FORGET_VERSION = (
    "'{given}' names one version of an article, and one version cannot be forgotten alone: "
    "`newsdesk forget {base}` removes the article with all its versions (nothing was removed)."
)
FORGET_DONE = (
    "forgot {count:,} article(s), with their earlier versions ({chunks:,} chunks). Ingesting their "
    "files, feeds or pages again brings them back."
)
FORGET_CONFIRM = (
    "not forgotten: the arguments name {count:,} of the {total:,} stored articles, more than {share:.0%} of "
    "the archive; check them (`--dry-run` lists them) and add --yes to forget them (nothing was removed)."
)
FORGET_DRY_RUN = "would forget {count:,} article(s), with their earlier versions; nothing was changed (--dry-run)."
FORGET_WAITING = "Waiting: {holder} is writing to {home}. Forgetting starts when it is done (Ctrl-C to stop)."
FORGET_INTERRUPTED = (
    "interrupted: some of the articles may be forgotten already, or have lost their earlier versions; "
    "run the same command again to finish."
)
INGEST_SEEDS_FIRST = "The archive is empty: ingesting the sample articles in {path} first."
CITATIONS_HEADING = "Sources"
# Composed answers (docs/shapes.md): the heading of each shape, and the leads that are not a quote
SHAPE_HEADINGS = {"overview": "Overview", "timeline": "Timeline", "latest": "Latest", "why": "Why",
                  "list": "Found"}
TIMELINE_LEAD = "{count} dated events, {first} to {last}"
TIMELINE_LEAD_ONE = "1 dated event, {day}"
UNDATED = "undated"
# Wire copies and earlier versions (docs/live-archive.md), under a citation and in `newsdesk article`
ALSO_CARRIED_BY = "also carried by {count} other outlet(s): {names}"
EARLIER_VERSION = "version {version} of the text, replaced on {day}"
ARTICLE_VERSION_LINE = "v{version} · {span} · {chars:,} characters · newsdesk article {id} --version {version}"
ARTICLE_VERSION_SPAN = "{start} to {end}"
ARTICLE_VERSION_CURRENT = "current since {start}"
ARTICLE_VERSIONS_HEADING = "Versions (the text above is the current one):"
ARTICLE_COPIES_HEADING = "Also carried by {count} other article(s) of the same story:"
ARTICLE_NO_SUCH_VERSION = (
    "Article {article_id} has no version {version}; it has {versions}. "
    "See them with `newsdesk article {article_id}`."
)

# newsdesk eval
DATASET_NOT_FOUND = (
    "No dataset at {path}: give a gold JSONL file or a kit directory "
    "(corpus.jsonl.gz + questions.jsonl)."
)
KIT_WITH_CORPUS = "{path} is a kit: it brings its own corpus, so --corpus does not apply."
NOT_A_KIT = "{path} is a directory but not an eval kit: {missing} is missing."
# newsdesk kit realtimeqa
KIT_NO_SOURCE = (
    "{path} is not a folder. Clone the RealTimeQA repository first: "
    "git clone https://github.com/realtimeqa/realtimeqa_public"
)
KIT_NO_WEEKS = (
    "No RealTimeQA week from {start} to {end} under {path} (weekly files past/YYYY/YYYYMMDD_qa.jsonl "
    "with their YYYYMMDD_gcs.jsonl): is it a clone of github.com/realtimeqa/realtimeqa_public, and "
    "are the dates right?"
)
KIT_BAD_RANGE = "--from {start} is after --to {end}, so no week can match."
KIT_NO_QUESTIONS = "No usable question in the chosen weeks of {path}; nothing was written."
KIT_OUT_NOT_EMPTY = "{path} exists and is not an empty folder: choose a new --out folder (nothing was written)."
KIT_WEEK_SKIPPED = "skipped week {week}: it has questions but no search results (YYYYMMDD_gcs.jsonl)"
KIT_QUESTIONS_SKIPPED = "skipped {count} question(s): {reason}"
KIT_UNANSWERABLE_BUILT = "wrote {questions} unanswerable question(s) to {out}; then: newsdesk eval {out}"
KIT_BUILT = (
    "wrote {questions:,} questions of {weeks} week(s) and {articles:,} articles to {out}; "
    "evaluate with: newsdesk eval {out} --mode choices"
)
# newsdesk kit descriptive
DESCRIPTIVE_ARTICLE_MISSING = (
    "{count} article(s) the set lists are not in {corpus} (the first: {first}): is it the kit the set was "
    "written over?"
)
DESCRIPTIVE_FACT_UNWRITTEN = (
    "question {question}, key fact {number} ('{fact}'): none of its accept strings is written in its "
    "articles published by {as_of}; nothing was written."
)
DESCRIPTIVE_BUILT = (
    "wrote {questions} questions and {articles:,} articles ({story} of their stories, {distractors} others "
    "from {first} to {last}) to {out}; evaluate with: newsdesk eval {out}"
)
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
TRAIN_WITHOUT_LLM = "The ranker is trained on the extractive answerer: unset NEWSDESK_LLM_* for training."
RANKER_MODEL_UNUSABLE = (
    "Cannot use the ranker model {path} (NEWSDESK_ANSWER_RANKER_MODEL): {reason}. Unset the variable to use "
    "the shipped one, or train a model with `newsdesk train-ranker KIT_DIR --out {out}` and set the variable "
    "to {out}."
)
RANKER_MODEL_OTHER_FEATURES = (
    "The ranker model {path} was trained for other features than this version's: short answers are picked by "
    "the hand-set votes until it is retrained (`newsdesk train-ranker KIT_DIR --out {path}`)."
)
TRAIN_OUT_NOT_A_MODEL = (
    "{path} exists and is not a ranker model: train-ranker writes a new file or replaces an earlier model, "
    "nothing else. Choose another --out."
)
TRAIN_INTERRUPTED = "interrupted: no model was written."
TRAIN_DONE = (
    "wrote {path}: {questions} questions ({with_a_right_candidate} with a right candidate), {candidates} candidates "
    "({positives} right); on held-out weeks the top candidate is right for {held_out_top1:.1%} of questions "
    "({held_out_top1_of_reachable:.1%} of those with a right candidate); below {answer_threshold} the sentence is "
    "shown instead ({held_out_answered_at_threshold:.1%} answered with a span, {held_out_precision_at_threshold:.1%} right); "
    "the choice model picks the right choice for {held_out_choice_accuracy:.1%} of held-out questions."
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
# LLM answer mode (bot/llm). Notes end up in `Answer.notes`: never paste an exception or a key here.
LLM_PARTIAL_CONFIG = "LLM mode needs both a base URL and a model; {missing} is missing (set {how})."
LLM_BAD_BASE_URL = "'{value}' is not an http(s) URL: use e.g. http://localhost:11434/v1"
LLM_BAD_MODEL = "The model name '{model}' cannot be used through the chat completions API."
LLM_MISSING_PACKAGE = (
    "LLM mode needs the 'llama-index-llms-openai-like' package: pip install llama-index-llms-openai-like"
)
LLM_TIMEOUT = "the language model did not answer within {seconds:g} s"
LLM_UNREACHABLE = "the language model endpoint could not be reached"
LLM_HTTP_ERROR = "the language model endpoint answered HTTP {status}"
LLM_FAILED = "the language model request failed ({kind})"
LLM_CONTEXT_EXCEEDED = (
    "the prompt did not fit the language model's context even with fewer passages "
    "(set NEWSDESK_LLM_CONTEXT_TOKENS to the server's context size, or raise it on the server)"
)
LLM_INVALID_REPLY = "the language model's reply was not the expected JSON object"
LLM_INSTRUCTIONS_IN_ANSWER = "the language model's answer looked like instructions, not an answer"
LLM_NO_CITATIONS = "the language model gave no citation"
LLM_NO_VERIFIED = "none of the language model's {count} citation(s) matched the archive"
LLM_ONLY_INSTRUCTIONS = "the language model cited only text that addresses AI systems (a possible prompt injection)"
LLM_NO_USABLE = "none of the language model's {count} citation(s) could be used: {reasons}"
# Why citations were refused, listed in LLM_NO_USABLE and LLM_DROPPED_FOR ("1 not found in the archive, ...").
LLM_REJECTED = {
    "not_found": "{count} not found in the archive",
    "not_given": "{count} citing a passage it was not given",
    "unreadable": "{count} unreadable",
    "instructions": "{count} addressing AI systems (a possible prompt injection)",
    "not_holding": "{count} not holding its answer",
}
LLM_FALLBACK = "Answered extractively: {reason}."
LLM_DROPPED = "Dropped {count} citation(s) from the language model that do not match the archive."
LLM_DROPPED_FOR = "Dropped {count} citation(s) from the language model: {reasons}."
LLM_UNSUPPORTED = "the language model's answer is not supported by the passages it cites"
LLM_WRONG_KIND = "the language model's answer is not {kind}, which the question asks for"
LLM_WRONG_KIND_ANY = "the language model's answer is not of the kind the question asks for"
LLM_ANSWER_KINDS = {  # by language.kinds.AnswerType value (others: LLM_WRONG_KIND_ANY)
    "date": "a date or time",
    "number": "a number",
    "quantity": "an amount",
    "person": "a name",
    "organization": "a name",
    "place": "a place",
}
LLM_OFF_TOPIC = "the language model cited only quotes that are not about the question"
LLM_NOT_IN_QUOTES = "the language model cited quotes that do not contain its answer"
LLM_NUMBER_NOT_QUOTED = "the language model's answer states a number its quotes do not"
LLM_NEGATION_NOT_QUOTED = "the language model's answer says 'not' where its quotes do not"
LLM_REPLACED = (
    "Replaced {count} quote(s) from the language model with the archive sentence that holds its answer."
)
# Slack
SLACK_USAGE = (
    "Ask me about the news archive, e.g. `@newsdesk When did protests reach Almaty?` "
    "or `/news When did protests reach Almaty?` (add `in_channel` first to answer for everyone)."
)
SLACK_SEARCHING = "Searching the archive…"
SLACK_WORKING = "Working on it…"
# LLM mode: the model's answer as it streams in, before the verified answer replaces it.
SLACK_DRAFT = "_Working on it. Draft from the language model, not yet checked against the archive:_\n{answer}"
SLACK_FAILED = (
    "Sorry, something went wrong while I was searching the archive. "
    "It has been logged; please try again in a moment."
)
SLACK_NOT_ALLOWED = "Sorry, newsdesk does not answer here. Ask an admin to add this channel or your account."
SLACK_ANSWER_HEADING = "Answer"
SLACK_SUPPORTING_SENTENCE = "Supporting sentence"
SLACK_UNDATED = "undated"
SLACK_MORE_SOURCES = "and {count} more source(s): use *Show full sources*."
SLACK_MORE_POINTS = "and {count} more point(s): use *Show full sources*."
SLACK_QUOTES_SHORTENED = "Some quotes are shortened: use *Show full sources* to read them in full."
SLACK_BUTTON_UP = "👍 Helpful"
SLACK_BUTTON_DOWN = "👎 Not helpful"
SLACK_BUTTON_SOURCES = "Show full sources"
SLACK_FEEDBACK_THANKS = "Thanks, your feedback is recorded."
SLACK_ANSWER_EXPIRED = "I no longer have that answer on record; ask the question again."
SLACK_FULL_SOURCES_HEADING = "Full sources for: {question}"
SLACK_MISSING_BOT_TOKEN = "SLACK_BOT_TOKEN is not set: put the bot token (xoxb-...) in the environment or a .env file."
SLACK_MISSING_SIGNING_SECRET = "HTTP mode needs SLACK_SIGNING_SECRET (Basic Information > App Credentials in the Slack app settings)."
SLACK_MISSING_APP_TOKEN = (
    "Socket Mode needs SLACK_APP_TOKEN (an xapp-... token with connections:write); "
    "or run `newsdesk slack --http --port 3000` with SLACK_SIGNING_SECRET set."
)
SLACK_LISTENING_HTTP = "newsdesk slack: listening on http://{host}:{port}/slack/events (HTTP mode)"
SLACK_CANNOT_LISTEN = "Cannot listen on {host}:{port}: {error}. Choose another --port or --host."
SLACK_CONNECTING_SOCKET = "newsdesk slack: connecting to Slack in Socket Mode"
# Why an HTTP-mode request was refused (the response body, and one log line).
SLACK_REFUSED_TIMESTAMP = "X-Slack-Request-Timestamp is missing or not a whole number"
SLACK_REFUSED_STALE = "X-Slack-Request-Timestamp is more than 5 minutes away from this machine's clock"
SLACK_REFUSED_SIGNATURE = "X-Slack-Signature is missing or does not match SLACK_SIGNING_SECRET"
SLACK_REFUSED_NO_LENGTH = "Content-Length is missing"
SLACK_REFUSED_BAD_LENGTH = "Content-Length is not a whole number"
SLACK_REFUSED_TOO_LARGE = "the body is larger than {limit} MB"
SLACK_REFUSED_SHORT_BODY = "the body is shorter than its Content-Length"
SLACK_REFUSED_SLOW_BODY = "the body did not arrive in time"
SLACK_REFUSED_UNREADABLE = "the body is not a Slack payload (a JSON object, or a form whose payload is one)"
SLACK_PAYLOAD_EMPTY = "the payload is empty"
SLACK_PAYLOAD_NO_TYPE = "the payload has neither a type nor a command"
SLACK_PAYLOAD_NO_EVENT = "the event callback has no event object with a type"
SLACK_PAYLOAD_NOT_STRING = "{field} is a {kind}, not a string"
SLACK_PAYLOAD_NOT_OBJECT = "{field} is not an object"
SLACK_PAYLOAD_NOT_LIST = "{field} is not a list of objects"
FEEDBACK_EXPORTED = "wrote {count} question(s) from 👍 feedback to {path}"
FEEDBACK_EMPTY = "No 👍 feedback recorded yet (looked in {db}); wrote an empty {path}."
INGEST_INTERRUPTED = (
    "interrupted: every article and chunk stored so far is kept; run the same command again to go on "
    "(nothing stored is encoded twice)."
)
PRUNE_REFUSED = "not pruned: {reason}."
ALLOW_HOST_INVALID = "--allow-host: {reason}"
INGEST_NO_SOURCE = (
    "nothing to ingest: give one or more SOURCEs (files, folders, feed, sitemap or WARC files, http(s) "
    "URLs), or --rebuild to re-embed the stored articles with the current settings."
)
REBUILT = (
    "rebuilt the index ({settings}): re-embedded {articles} stored article(s) and {versions} earlier "
    "version(s) from their stored text; the old index is deleted."
)
REBUILD_INCOMPLETE = (
    "not rebuilt: {reason}; the stored index is kept as it was, and what the new one holds is kept for "
    "the next `newsdesk ingest --rebuild`."
)
REBUILD_INTERRUPTED = (
    "interrupted: the stored index is kept as it was, and what the new one holds so far is kept too; "
    "run `newsdesk ingest --rebuild` again to go on (nothing is encoded twice)."
)
INGEST_WORKERS_BAD = "--workers {value}: give a number of worker processes, 1 or more (1: the ingest's own process)."
INGEST_WORKERS_MANY = (
    "warning: --workers {value} is more than this machine's {cores} CPU cores: the workers will take turns "
    "on them, each with its own encoder and spaCy pipeline in memory."
)
INGEST_WAITING = "Waiting: {holder} is writing to {home}. This ingest starts when it is done (Ctrl-C to stop)."
INGEST_SUMMARY = (
    "added {added}, updated {updated}, unchanged {unchanged}, removed {removed}, failed {failed} · "
    "chunks +{chunks_added} -{chunks_removed} · {seconds:.1f}s"
)
# How far an ingest got: a bar per stage on a terminal; with --json, or when stderr is a log or a
# pipe, a line on stderr every NEWSDESK_INGEST_PROGRESS_SECONDS.
INGEST_PROGRESS = "ingest, {seconds:.0f}s: {stages}"
INGEST_STAGE_READ = "read {done:,} article(s)"
INGEST_STAGE_CHUNKED = "chunked {done:,} of {total:,} characters"
INGEST_STAGE_MARKED_UP = "marked up {done:,} of {total:,} passages"
INGEST_STAGE_ENCODED = "encoded {done:,} of {total:,} passages"
# newsdesk watch, and newsdesk slack --watch
BAD_INTERVAL = "'{value}' is not an interval: use a number and a unit, e.g. 90s, 15m, 2h or 1d."
WATCH_STARTED = "Watching {count} source(s), a run every {every}; Ctrl-C to stop (nothing stored is lost)."
WATCH_RUN = "run {number} at {at}: {summary}"
WATCH_RUN_NOT_DONE = "run {number} at {at} could not be done: {error}; trying again at the next run."
WATCH_NEXT = "next run at {at}"
WATCH_STOPPED = "stopped after {runs} run(s): every run's articles are stored."
WATCH_INTERRUPTED = (
    "interrupted during run {number}: every article and chunk stored so far is kept; the next run "
    "goes on from there (nothing stored is encoded twice)."
)
SLACK_WATCHING = "newsdesk slack: re-indexing {count} source(s) in the background, a run every {every}"
