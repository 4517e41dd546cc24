"""Files, HTML pages and JSON exports become Articles, then token-budgeted Chunks."""
