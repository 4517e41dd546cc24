"""The extractive answerer, the default: no LLM, no API key. It reads retrieved passages sentence
by sentence and answers with a short span of the kind the question asks for, quoted exactly.

The answerer reads, picks and composes, each once. Rooms: `answerer` (the Answerer),
`reading` (what is read for a question), `sentences` (evidence scores), `pickers` (a picker for
each way of picking, `language.kinds.Picking`, and the choice picker), `scoring` (the `Scorer`
protocol and the hand-set votes), `ranker` (the learned scorer and its model file), `features`
(what the ranker measures), `ranker_fit` (training it), `spans` and `candidates` (candidate
answers), `fit` (does a span fit the kind asked for), `choices` (the evidence for each choice),
`tuning` (every weight, with where its value came from). What each kind of answer looks like, and
how it is picked, is a row of `language.kinds.KINDS`; names of places and titles are in
`language.gazetteer`.
"""
