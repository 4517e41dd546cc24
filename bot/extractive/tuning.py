"""Every weight and threshold of the extractive answerer, in one place, each with where its value
came from. All were set by hand, looking at the seed gold set and the RealTimeQA dev kit (780
questions, the training data); none was fitted. Since the learned answer ranker
(bot/extractive/ranker.json) picks the short answer for names, things, numbers and descriptions,
the votes below are one of its features and pick when no candidate of the ranker's is likely
enough; they pick the answer alone for "why" questions, with `NEWSDESK_ANSWER_RANKER=false`, and
when the ranker's model does not fit its features (bot/extractive/features.py: `Votes`).
"""

# -- reading -------------------------------------------------------------------------------------
# Passages retrieved per question; their articles are reported for hit@k (10 is the deepest k).
RETRIEVED = 20  # set when retrieval metrics were added (issue 3): 2x the deepest hit@k
# Passages a search for each choice by name reads (choices mode).
CHOICE_PASSAGES = 5  # hand-set with the by-name evidence (f8b29e7); not tuned separately
# Sentences compared with the question by meaning (the encoder is the slow part on a CPU).
SENTENCES_EMBEDDED = 16  # 24 gave +0.3 dev EM for +17 ms per question (docs/evals.md): not worth it

# -- a sentence's evidence score: cosine, shared words, the passage's cosine and fused rank --------
SCORE_MEANING = 0.55  # hand-set when the extractive answerer was written (issue 4); the
SCORE_WORDS = 0.25  # four add up to 1 so that `min_score` reads as a share; other splits of
SCORE_PASSAGE = 0.10  # meaning vs words moved dev EM by less than 0.5 (docs/evals.md)
SCORE_RANK = 0.10
# Which sentences are embedded at all: shared words plus this much of the passage's rank.
PREFILTER_RANK = 0.5  # hand-set with the above; not measured on its own

# -- the short answer: spans of the top sentences vote ----------------------------------------------
SENTENCES_READ = 10  # was 6; 10 gained dev EM in a 150-question check (d1352a4)
RANK_DECAY = 0.15  # a vote shrinks as 1 / (1 + RANK_DECAY * rank); hand-set, not measured alone
FOCUS_CANDIDATES = 64  # spans compared with the kind of thing asked for; a cap on encoder time
FOCUS_FLOOR = 0.5  # focus factor from this (unrelated) to about 1.3 (the very thing); hand-set (f8b29e7)
MIN_TYPE_FIT = 0.5  # below it no span is the right kind: the sentence is the answer; hand-set (e14b6f9)
PHRASE_MIN_FIT = FOCUS_FLOOR + 0.4  # ordinary words must be this close to what is asked for (f8b29e7)
PHRASE_FIT = 0.8  # ordinary words answer "which product?" less often than names (f8b29e7)
QUOTED_FIT = 1.2  # a quoted title ("“Night Train”") for "which show/film/book" (f8b29e7)

# -- type fit: how a span's form fits the kind asked for (hand-set with ffc8054 and f8b29e7) --------
COUNTED_FIT = 1.5  # "353 members" for "how many members"
WRONG_MEASURE_FIT = 0.4  # a count for "what percentage"; also a country for "which city"
NOT_MONEY_FIT = 0.5  # a plain number for "how much did it cost"
BARE_YEAR_FIT = 0.5  # "2022" is rarely a count
NOT_A_PERSON_FIT = 0.3  # an organisation, place or acronym for "who"
MAYBE_PERSON_FIT = 0.6  # a capitalised run that does not look like a name
NOT_A_PLACE_FIT = 0.3  # an organisation or a person for "where"
MAYBE_PLACE_FIT = 0.5
PLACE_FOR_ORG_FIT = 0.4
MAYBE_ORG_FIT = 0.7
ONE_OF_SEVERAL_FIT = 0.6  # one name where "which two ..." asks for several (85ac100)

# -- proximity of a span to the question's words in its sentence ---------------------------------
PROXIMITY_WORDS = 6.0  # 1 / (1 + words between / this); hand-set (issue 4)
PROXIMITY_NONE = 0.3  # when the sentence shares none of the question's words

# -- choices mode ----------------------------------------------------------------------------------
NAMED_WEIGHT = 1.0  # by-name evidence against the question's own retrieval, both scaled to 1 (f8b29e7)
MENTION_RANK_DECAY = 0.25  # a passage's mention counts 1 / (1 + this * rank) (e14b6f9)
BEST_SENTENCE_WEIGHT = 2.0  # the best sentence naming a choice, against summed mentions (e14b6f9)
PARTIAL_MENTION = 0.7  # most of a choice's own words, not the phrase (e14b6f9)
