"""Retries that wait: the server's ``Retry-After``, else an exponential backoff.

Scrapy's own `RetryMiddleware` re-sends a failed request as soon as the
scheduler hands it back, which hammers a site that just answered 429 or 503.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.asyncio import sleep
from scrapy.utils.response import response_status_message

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    """`RetryMiddleware` plus a wait before each retry.

    Settings: ``RETRY_BACKOFF_BASE`` (seconds before the first retry, doubled
    for each further one) and ``RETRY_BACKOFF_MAX`` (the longest wait; a
    ``Retry-After`` asking for more is not waited out but given up on).
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.backoff_base = settings.getfloat("RETRY_BACKOFF_BASE")
        self.backoff_max = settings.getfloat("RETRY_BACKOFF_MAX")

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response
    ) -> Request | Response:
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        asked = retry_after_seconds(response.headers.get("Retry-After"))
        if asked is not None and asked > self.backoff_max:
            logger.warning(
                "Not retrying %s: the server asks to wait %.0f s (RETRY_BACKOFF_MAX is %.0f s)",
                request.url,
                asked,
                self.backoff_max,
            )
            return response
        retry = self._retry(request, response_status_message(response.status))
        if retry is None:
            return response
        await self._wait(retry, asked, f"HTTP {response.status}")
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            await self._wait(retry, None, type(exception).__name__)
        return retry

    def backoff(self, retry_times: int) -> float:
        """Wait before retry number `retry_times` (1, 2, …) when the server names none."""
        return min(self.backoff_base * 2 ** (retry_times - 1), self.backoff_max)

    async def _wait(self, retry: Request, asked: float | None, reason: str) -> None:
        wait = asked if asked is not None else self.backoff(retry.meta["retry_times"])
        if wait > 0:
            logger.info("Retrying %s in %.1f s (%s)", retry.url, wait, reason)
            await sleep(wait)


def retry_after_seconds(value: bytes | None) -> float | None:
    """A ``Retry-After`` header (delay seconds or an HTTP date) as seconds from now."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isascii() and text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
