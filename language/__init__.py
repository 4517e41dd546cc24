"""What the words say, the ground floor of the house: what a question asks for (`question`) and
the kinds of answer (`kinds`), the content words of a text (`terms`), the time a question points at
(`timeframe`), the dates and numbers a text writes (`dates`, `numbers`), what its "not" negates
(`negation`), its sentences (`sentences`), names of places, titles and organisations
(`gazetteer`), and whether it speaks to machines (`addressed`). Imported by every room; imports
none of them."""
