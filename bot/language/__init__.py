"""What the words say: what a question asks for, the content words of a text, and the dates a
text writes. Shared by the query built at the edge and by both answerers."""
