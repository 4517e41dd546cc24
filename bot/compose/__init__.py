"""Composed answers: an overview, a timeline, the latest news, the reasons why, a list, each made
of verified quotes from the archive with their dates (docs/shapes.md).

`material` gathers what every shape reads (the story's sentences, retrieved wider than for one
fact, scored, encoded and dated); `select` holds what the shapes share (redundancy, the screenful);
one module per shape composes its points; `table` maps each `language.shapes.Shape` to its composer,
so adding a shape is its row there and its module; `answerer` turns a composition into an `Answer`
and sends each query to the factoid answerer or here, by its shape.
"""
