"""Spider contracts for ``scrapy check reviews``, run offline on the bundled saved pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.contracts import Contract
from scrapy.utils.conf import closest_scrapy_cfg

from reviewcrawler.spiders.reviews import SAVED_PAGE_META

#: The project's saved pages, beside scrapy.cfg.
FIXTURES = "fixtures"


class FixtureContract(Contract):
    """``@fixture legacy/pusher2-page1.html``: the request is for that bundled saved page.

    It stands for ``@url`` with a ``file://`` URL, which cannot be written into a
    docstring (it depends on where the project is), so the check needs no network
    and never asks IMDb for anything. The page is read as a ``path=`` crawl reads
    one (`SAVED_PAGE_META`): without the polite delays meant for IMDb.
    """

    name = "fixture"

    def adjust_request_args(self, args: dict[str, Any]) -> dict[str, Any]:
        config = closest_scrapy_cfg()
        root = Path(config).parent if config else Path.cwd()
        args["url"] = (root / FIXTURES / self.args[0]).resolve().as_uri()
        args["meta"] = {**(args.get("meta") or {}), **SAVED_PAGE_META}
        return args
