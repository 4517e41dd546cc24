"""The extractive answerer, the default: no LLM, no API key. It reads retrieved passages sentence
by sentence and answers with a short span of the kind the question asks for, quoted exactly.

Rooms: `answerer` (the Answerer), `sentences` (evidence scores), `spans` (candidate answers),
`gazetteer` (places, titles), `choices` (multiple-choice mode), `tuning` (every weight, with
where its value came from).
"""
