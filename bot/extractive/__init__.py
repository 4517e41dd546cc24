"""The extractive answerer, the default: no LLM, no API key. It reads retrieved passages sentence
by sentence and answers with a short span of the kind the question asks for, quoted exactly.

Rooms: `answerer` (the Answerer), `sentences` (evidence scores), `spans` (candidate answers),
`fit` (does a span fit the kind asked for), `candidates`, `ranker`, `choices` (multiple-choice
mode), `tuning` (every weight, with where its value came from). What each kind of answer looks
like is a row of `language.kinds.KINDS`; names of places and titles are in `language.gazetteer`.
"""
