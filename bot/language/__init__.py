"""What the words say: what a question asks for, the content words of a text, the dates and
numbers a text writes, what its "not" negates, and whether it speaks to machines. Shared by the
query built at the edge and by both answerers."""
