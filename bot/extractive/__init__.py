"""The extractive answerer, the default: no LLM, no API key. It reads retrieved passages sentence
by sentence and answers with a short span of the kind the question asks for, quoted exactly.

The answerer reads, picks and composes, each once. Rooms: `answerer` (the Answerer),
`reading` (what is read for a question: its sentences and their evidence scores), `pickers` (a
picker for each way of picking, `language.kinds.Picking`), `scoring` (the `Scorer` protocol and
`Pick`), `ranker` (the learned scorer and its model file), `features` (what a candidate is
measured by: type fit, proximity, the hand-set votes and the ranker's features), `ranker_fit`
(training the ranker), `spans` and `candidates` (candidate answers), `choices` (the evidence for
each choice and the choice picker), `tuning` (every weight, with where its value came from). What each kind of answer looks like, and
how it is picked, is a row of `language.kinds.KINDS`; names of places and titles are in
`language.gazetteer`.
"""
