"""Domain errors. The CLI and the Slack bot turn these into one clear line; no traceback.

Hierarchy (each room adds its own below the base, in its own `errors` module):

    NewsdeskError                 base of everything newsdesk raises on purpose
    ├── UserInputError            the user asked for something malformed (empty question, bad date, bad path)
    ├── IndexMismatchError        the index was built with another model or chunking settings
    ├── StoreError                the Chroma store cannot be opened or written
    ├── ArticleNotFoundError      no stored article has that id
    ├── IndexBusyError            another process is writing to the same data directory
    ├── ingest.errors.ArticleReadError   one input file or record could not be turned into an article
    │   └── ingest.errors.FetchError     a URL could not be fetched (refused, failed, too large, robots.txt)
    ├── ingest.errors.IngestStopped      an ingest was asked to stop, and did (its stored work is kept)
    ├── bot.errors.LLMError              the language model endpoint failed, timed out or replied unusably
    │   └── bot.errors.ContextExceeded   the prompt and reply do not fit the model's context
    └── bot.errors.ConfigError           a required setting is missing or unusable (e.g. no Slack token)

    KeyboardInterrupt
    └── ingest.errors.IngestInterrupted  Ctrl-C (or SIGTERM in the CLI) stopped an ingest; it holds the
                                         report of what was stored
"""

from __future__ import annotations


class NewsdeskError(Exception):
    """Base class: the message is meant for the user, as it is."""


class UserInputError(NewsdeskError):
    pass


class IndexMismatchError(NewsdeskError):
    pass


class StoreError(NewsdeskError):
    pass


class ArticleNotFoundError(NewsdeskError):
    pass


class IndexBusyError(NewsdeskError):
    pass
