"""The Redis connection of cluster mode, and the one-line checks made before a run."""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from scrapy.settings import BaseSettings

if TYPE_CHECKING:
    from redis import Redis

INSTALL_HINT = "cluster mode needs the cluster extra: pip install -e '.[cluster]'"


def missing_extra() -> str | None:
    """Why cluster mode cannot run here, if the ``cluster`` extra is not installed."""
    for module in ("redis", "scrapy_redis"):
        if importlib.util.find_spec(module) is None:
            return INSTALL_HINT
    return None


def redacted(url: str) -> str:
    """`url` without its password, for log lines, manifests and stats."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def connect(settings: BaseSettings) -> Redis:
    """A client for ``REDIS_URL``, as scrapy-redis makes its own (same parameters)."""
    from scrapy_redis.connection import get_redis_from_settings

    client: Redis = get_redis_from_settings(settings)
    return client


def unreachable(settings: BaseSettings) -> str | None:
    """Why ``REDIS_URL`` cannot be used now (one line, no password), or ``None``."""
    from redis.exceptions import RedisError

    url = settings.get("REDIS_URL")
    try:
        connect(settings).ping()
    except (RedisError, ValueError, OSError) as error:
        return f"Redis at {redacted(url)} is unreachable: {_first_line(error)}"
    return None


def cluster_problem(settings: BaseSettings) -> str | None:
    """What stops a cluster-mode command from starting: no extra, no Redis."""
    return missing_extra() or unreachable(settings)


def _first_line(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text.splitlines()[0]
