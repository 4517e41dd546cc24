"""The `newsdesk` command line: the top floor. It may import every room; no room imports it."""
