"""Every setting the project defines, checked (type, range) before a crawl starts.

A setting given with ``-s NAME=VALUE`` arrives as a string; read later with
``getfloat`` deep inside an extension, a bad one ends in a traceback mid-run
(or, in a looping call, in none at all). Checked here, it is one line and exit
status 2 (`reviewcrawler.commands.crawl`).
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    ValidationError,
)
from scrapy.settings import BaseSettings

from reviewcrawler.params import one_line
from reviewcrawler.urls import WEB_SCHEMES, check_site_url


def _log_level(value: str | int) -> str | int:
    if isinstance(value, int) or isinstance(logging.getLevelName(value.upper()), int):
        return value
    raise ValueError(f"not a log level (DEBUG, INFO, WARNING, ERROR, CRITICAL): {value!r}")


def _web_url(value: str) -> str:
    if value.split("://", 1)[0] not in WEB_SCHEMES or "://" not in value:
        raise ValueError(f"not an http(s) URL: {value!r}")
    return value


def _site_url(value: str) -> str:
    return check_site_url(_web_url(value))


def _redis_url(value: str | None) -> str | None:
    # The message never quotes the URL: it may hold a password.
    if value is not None and value.split("://", 1)[0] not in REDIS_SCHEMES:
        raise ValueError("not a redis://, rediss:// or unix:// URL")
    return value


REDIS_SCHEMES = ("redis", "rediss", "unix")
LogLevel = Annotated[str | int, AfterValidator(_log_level)]
Seconds = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Text = Annotated[str, Field(min_length=1)]


class ProjectSettings(BaseModel):
    """The project's settings (``reviewcrawler/settings.py``) and what each may be."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    ROBOTSTXT_OBEY: bool
    USER_AGENT: Text
    CONCURRENT_REQUESTS_PER_DOMAIN: PositiveInt
    DOWNLOAD_TIMEOUT: Annotated[PositiveFloat, Field(allow_inf_nan=False)]
    DOWNLOAD_DELAY: Seconds
    AUTOTHROTTLE_ENABLED: bool
    AUTOTHROTTLE_START_DELAY: Seconds
    AUTOTHROTTLE_MAX_DELAY: Seconds
    AUTOTHROTTLE_TARGET_CONCURRENCY: Annotated[PositiveFloat, Field(allow_inf_nan=False)]
    HTTPCACHE_ENABLED: bool
    IMDB_BASE_URL: Annotated[str, AfterValidator(_site_url)]
    RETRY_TIMES: NonNegativeInt
    RETRY_BACKOFF_BASE: Seconds
    RETRY_BACKOFF_MAX: Seconds
    RETRY_GIVE_UP_LOG_LEVEL: LogLevel
    ARCHIVE_ENABLED: bool
    ARCHIVE_DIR: Text
    PROGRESS_INTERVAL: Seconds
    LOG_LEVEL: LogLevel
    MAX_PAGE_BYTES: PositiveInt
    MAX_PAGES_PER_TITLE: PositiveInt
    SHUTDOWN_TIMEOUT: Annotated[PositiveFloat, Field(allow_inf_nan=False)]
    PARSE_PROCESSES: NonNegativeInt | None
    # Cluster mode (`reviewcrawler.cluster`); the Redis server itself is checked
    # when a cluster command starts (`cluster_problem`).
    REDIS_URL: Annotated[str | None, AfterValidator(_redis_url)]
    CLUSTER_ROLE: Literal["worker", "ingester"]
    CLUSTER_KEY_PREFIX: Text
    CLUSTER_REQUESTS_PER_SECOND: Seconds
    CLUSTER_TITLE_LEASE: Annotated[PositiveFloat, Field(allow_inf_nan=False)]
    CLUSTER_QUEUED_REQUESTS: PositiveInt
    MAX_IDLE_TIME_BEFORE_CLOSE: Seconds
    INGEST_BATCH_SIZE: PositiveInt
    INGEST_BATCH_SECONDS: Seconds
    # COOKIES_FILE, IMDB_GRAPHQL_URL/HASH, RECORD_DIR/REPLAY_DIR: checked where
    # they are used, up front too (`check_cookies_file`, `ReviewsQuery.checked`,
    # the spider's record=/replay= arguments).


def check_settings(settings: BaseSettings) -> None:
    """`ValueError` with one line naming every bad setting."""
    values = {name: settings.get(name) for name in ProjectSettings.model_fields}
    try:
        ProjectSettings.model_validate(values)
    except ValidationError as error:
        raise ValueError(f"bad setting: {one_line(error)}") from None
