"""Why a request got no response, in words for a log line or an error message.

A failure is Scrapy's (an `HttpError` for a status the crawl does not read, an
`IgnoreRequest`, a download error); the words are the project's: a robot check
or a GraphQL query IMDb no longer knows is told as such, not as its status.
"""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from reviewcrawler.crawl.graphql import ReviewsQuery, http_rejection
from reviewcrawler.crawl.pages import is_graphql_call
from reviewcrawler.parsers import why_withheld


def failure_reason(failure: Failure) -> str:
    """Why a request got no response, whatever it asked for."""
    if isinstance(failure.value, HttpError):
        return f"HTTP {failure.value.response.status}"
    message = failure.getErrorMessage()
    if isinstance(failure.value, IgnoreRequest) and "robots.txt" in message:
        # RobotsTxtMiddleware's own words are "Forbidden by robots.txt".
        return "the site's robots.txt forbids fetching it"
    return message or type(failure.value).__name__


def title_page_failure_reason(failure: Failure, graphql: ReviewsQuery | None) -> str:
    """Why a title's page (a review page, or a call to `graphql`) got no response:
    an error status IMDb withholds pages with, or the endpoint rejecting its query,
    is named for what it is."""
    if not isinstance(failure.value, HttpError):
        return failure_reason(failure)
    response = failure.value.response
    withheld = why_withheld(response)
    if withheld is not None:
        return withheld.reason
    rejection = http_rejection(response.status) if is_graphql_call(response.url, graphql) else None
    return rejection or f"HTTP {response.status}"
