"""A signed-in session's cookies (``COOKIES_FILE``), sent to IMDb's hosts only.

Scrapy's `CookiesMiddleware` already does what a browser does with cookies: it
keeps a jar, sends each cookie only to the hosts and paths its domain and path
match (a ``Secure`` one over https only, an expired one never), and updates the
jar from ``Set-Cookie``. This subclass only seeds that jar, once, when the crawl
starts, from a Netscape ``cookies.txt`` (`http.cookiejar.MozillaCookieJar`, the
format browser extensions export), keeping only the cookies for the crawl's
IMDb hosts (those of ``IMDB_BASE_URL`` and ``IMDB_GRAPHQL_URL``): an export
holds every site's cookies, and no other site's has business in this crawl.

Seeding the jar rather than putting ``cookies=`` on the start requests keeps
each cookie's own domain, path, Secure flag and expiry (``Request.cookies``
would re-scope them to the start URL's host, so a cookie for the GraphQL host
would be lost), covers every request without the spider knowing about cookies,
and leaves ``dont_merge_cookies`` and ``cookiejar`` working as Scrapy documents.

The cookies are never logged (leave ``COOKIES_DEBUG`` off), nor recorded: the
recorder drops ``Cookie``/``Set-Cookie`` headers, and the archive manifest names
the file, never what it holds.
"""

from __future__ import annotations

import logging
from http.cookiejar import Cookie, LoadError, MozillaCookieJar
from typing import Self
from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

SETTING = "COOKIES_FILE"
#: The settings naming the hosts a crawl asks for pages.
HOST_SETTINGS = ("IMDB_BASE_URL", "IMDB_GRAPHQL_URL")


def imdb_hosts(settings: BaseSettings) -> list[str]:
    """The host names the crawl fetches from, in settings order, each once."""
    hosts: dict[str, None] = {}
    for name in HOST_SETTINGS:
        host = urlsplit(settings.get(name) or "").hostname
        if host:
            hosts.setdefault(host.lower())
    return list(hosts)


def load_cookies(path: str, hosts: list[str]) -> list[Cookie]:
    """The unexpired cookies in the cookies.txt `path` that `hosts` would be sent.

    `ValueError` with a one-line message if the file cannot be read, is not a
    cookies.txt, or holds none for `hosts`.
    """
    jar = MozillaCookieJar()
    try:
        # Session cookies are what a signed-in export mostly holds; expiry is checked below.
        jar.load(path, ignore_discard=True, ignore_expires=True)
    except LoadError as error:
        raise ValueError(f"{SETTING}: {path} is not a Netscape cookies.txt ({error})") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ValueError(f"{SETTING}: cannot read {path}: {reason}") from None
    for cookie in jar:
        if cookie.expires == 0:
            # Exporters write a session cookie's expiry as 0: "until the browser closes".
            cookie.expires, cookie.discard = None, True
    kept = [
        cookie
        for cookie in jar
        if not cookie.is_expired() and any(_sent_to(host, cookie) for host in hosts)
    ]
    if not kept:
        raise ValueError(f"{SETTING}: {path} holds no unexpired cookie for {' or '.join(hosts)}")
    return kept


def check_cookies_file(settings: BaseSettings) -> None:
    """Fail early (`ValueError`, one line) on a ``COOKIES_FILE`` that cannot be used."""
    path = settings.get(SETTING)
    if path:
        load_cookies(str(path), imdb_hosts(settings))


def _sent_to(host: str, cookie: Cookie) -> bool:
    """Would a browser send `cookie` to `host`? (Domain only; paths are the jar's job.)"""
    domain = cookie.domain.lower()
    if domain.startswith("."):
        return host == domain[1:] or host.endswith(domain)
    return host == domain


class SessionCookiesMiddleware(CookiesMiddleware):
    """Scrapy's `CookiesMiddleware`, its default jar seeded from ``COOKIES_FILE``."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        path = settings.get(SETTING)
        if path and not settings.getbool("COOKIES_ENABLED"):
            logger.warning("%s is ignored: COOKIES_ENABLED is off", SETTING)
            raise NotConfigured
        middleware = super().from_crawler(crawler)
        if path:
            hosts = imdb_hosts(settings)
            cookies = load_cookies(str(path), hosts)
            jar = middleware.jars[None]
            for cookie in cookies:
                jar.set_cookie(cookie)
            logger.info(
                "Session: %d cookie(s) from %s for %s", len(cookies), path, ", ".join(hosts)
            )
        return middleware
