"""Domain errors. The CLI and the Slack bot turn these into one clear line; no traceback.

Hierarchy:

    NewsdeskError                 base of everything newsdesk raises on purpose
    ├── UserInputError            the user asked for something malformed (empty question, bad date, bad path)
    ├── ArticleReadError          one input file or record could not be turned into an article
    │   └── FetchError            a URL could not be fetched (refused, failed, too large, robots.txt)
    ├── IndexMismatchError        the index was built with another model or chunking settings
    ├── StoreError                the Chroma store cannot be opened or written
    ├── ArticleNotFoundError      no stored article has that id
    ├── IndexBusyError            another process is writing to the same data directory
    ├── CitationError             a quote does not match the stored text at its offsets (a bug)
    ├── LLMError                  the language model endpoint failed, timed out or replied unusably
    └── ConfigError               a required setting is missing or unusable (e.g. no Slack token)
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base class: the message is meant for the user, as it is."""


class UserInputError(NewsdeskError):
    pass


class ArticleReadError(NewsdeskError):
    pass


class FetchError(ArticleReadError):
    """The message is the reason only (the caller names the URL)."""


class IndexMismatchError(NewsdeskError):
    pass


class StoreError(NewsdeskError):
    pass


class ArticleNotFoundError(NewsdeskError):
    pass


class IndexBusyError(NewsdeskError):
    pass


class CitationError(NewsdeskError):
    pass


class LLMError(NewsdeskError):
    """Caught by the LLM answerer, which answers extractively instead; never shown raw."""

class ConfigError(NewsdeskError):
    pass
