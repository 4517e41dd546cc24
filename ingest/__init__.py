"""Files, HTML pages, JSON exports, feeds, sitemaps and WARC archives become Articles, then
token-budgeted Chunks."""
