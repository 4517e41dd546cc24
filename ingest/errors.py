"""Errors of the ingest room (see index.errors for the hierarchy)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from index.errors import NewsdeskError

if TYPE_CHECKING:
    from ingest.report import IngestReport


class ArticleReadError(NewsdeskError):
    """One input file or record could not be turned into an article; the message says why."""


class FetchError(ArticleReadError):
    """A URL could not be fetched (refused, failed, too large, robots.txt); the message is the
    reason only (the caller names the URL)."""


class AddressRefused(FetchError):
    """A URL's host is not a public address (loopback, private, link-local, metadata...) and the
    user did not allow it; the message says which address, and how to allow it."""


class NlpUnavailable(NewsdeskError):
    """spaCy or its English model is not installed; the message says what to install."""


class IngestStopped(NewsdeskError):
    """An ingest was asked to stop (`stop` set) and did, keeping every batch encoded so far."""

    def __init__(self) -> None:
        super().__init__("the ingest was stopped; every article stored so far is kept")


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM, which the CLI turns into one) stopped an ingest once it had stored what
    it encoded; `report` says what that was. A KeyboardInterrupt, so that whoever does not ask
    for the report stops as on any Ctrl-C."""

    def __init__(self, report: IngestReport) -> None:
        super().__init__()
        self.report = report
