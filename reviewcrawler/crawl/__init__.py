"""The crawl side: what the spider asks IMDb for, built from what the parsers read.

The parsers say where a title's reviews go on as data (`reviewcrawler.parsers.base.NextPage`);
`reviewcrawler.crawl.pages` turns that into the URL of the next request: the legacy
layout's load-more fragment, or the current layout's GraphQL call
(`reviewcrawler.crawl.graphql`, which also names the headers the call is sent with).
`reviewcrawler.crawl.paging` decides whether a title's next page is asked for at all,
or why the title stops; `reviewcrawler.crawl.page_stats` counts each page's outcome,
`reviewcrawler.crawl.failures` says why a request got no response, and
`reviewcrawler.crawl.reading` parses pages, in worker processes when it pays. None of
them needs Scrapy's engine: the spider hands them its stats collector and logger.
"""

from __future__ import annotations

import logging
from typing import Any

#: Where the crawl side writes its lines: the spider's logger (a `LoggerAdapter`).
Log = logging.Logger | logging.LoggerAdapter[Any]
