"""A local HTTP server shaped like imdb.com, started by the tests that need it.

Routes are keyed by path (trailing slash ignored) plus the ``paginationKey``
parameter, as IMDb tells its pages apart, and the sort parameters (``sort``,
``dir``, ``ratingFilter``) when a request carries them; every other query
parameter (``ref_``) is ignored. A GraphQL GET (it names an ``operationName``)
is keyed by its operation, title and ``after`` cursor instead, and its ``sort``
unless that is IMDb's default (``HELPFULNESS_SCORE``), as IMDb's GraphQL
endpoint tells the pages of the current site apart; tests serve both from this
one server. A request in an order no route was served for gets the route of the
default order, as a site ignoring the sort would. Each route holds replies
served in turn; the last one repeats.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from tests import legacypages


@dataclass
class Reply:
    body: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    #: Seconds to wait before answering (a slow server).
    delay: float = 0.0


@dataclass
class Hit:
    path: str
    at: float
    headers: dict[str, str]


JSON = "application/json"
SORT_PARAMETERS = ("sort", "dir", "ratingFilter")
DEFAULT_GRAPHQL_SORT = "HELPFULNESS_SCORE"


def route_key(target: str, *, ordered: bool = True) -> str:
    """`target`'s route; ``ordered=False``: the route of IMDb's default order."""
    parts = urlsplit(target)
    query = parse_qs(parts.query)
    path = parts.path.rstrip("/") or "/"
    if "operationName" in query:
        try:
            variables = json.loads(query.get("variables", ["{}"])[0])
        except ValueError:
            variables = {}
        sort = variables.get("sort") if isinstance(variables, dict) else None
        by = sort.get("by") if isinstance(sort, dict) and ordered else None
        return graphql_key(
            query["operationName"][0], variables.get("const"), variables.get("after"), path, by
        )
    pairs = [f"paginationKey={query['paginationKey'][0]}"] if "paginationKey" in query else []
    if ordered:
        pairs += [f"{name}={query[name][0]}" for name in SORT_PARAMETERS if name in query]
    return f"{path}?{'&'.join(pairs)}" if pairs else path


def graphql_key(
    operation: str,
    title_id: str | None,
    after: str | None,
    path: str = "/",
    sort_by: str | None = None,
) -> str:
    key = f"{path}?graphql={operation}&const={title_id}&after={after}"
    return key if sort_by in (None, DEFAULT_GRAPHQL_SORT) else f"{key}&sort={sort_by}"


class LocalSite:
    def __init__(self) -> None:
        self.routes: dict[str, list[Reply]] = {}
        self.hits: list[Hit] = []
        #: Seconds every reply takes on top of its own `Reply.delay`.
        self.slowness = 0.0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def serve(self, target: str, *replies: Reply) -> None:
        self.routes[route_key(target)] = list(replies)

    def serve_first(self, target: str, *replies: Reply) -> None:
        """Answer `target` with `replies` before what it already serves."""
        key = route_key(target)
        self.routes[key] = [*replies, *self.routes.get(key, [])]

    def serve_title(self, pages: list[range], title_id: str = legacypages.TITLE_ID) -> list[str]:
        """A title whose reviews come in `pages`, linked by load-more keys; their paths."""
        paths = []
        for number, reviews in enumerate(pages, start=1):
            next_key = f"key{number + 1}" if number < len(pages) else None
            if number == 1:
                path = f"/title/{title_id}/reviews"
                body = legacypages.first_page(reviews, next_key, title_id=title_id)
            else:
                path = f"/title/{title_id}/reviews/_ajax?paginationKey=key{number}"
                body = legacypages.fragment(reviews, next_key, title_id=title_id)
            self.serve(path, Reply(body))
            paths.append(path)
        return paths

    @property
    def graphql_url(self) -> str:
        """Where tests point ``IMDB_GRAPHQL_URL``: this server's root, as IMDb's."""
        return f"{self.url}/"

    def serve_graphql(self, title_id: str, after: str, *replies: Reply) -> str:
        """Answer the review query for `title_id` after the cursor `after`.

        Returns a target for `hits_of` and `serve_first` (any hash, locale, … match).
        """
        variables = json.dumps({"const": title_id, "after": after})
        target = f"/?operationName=TitleReviewsRefine&variables={quote(variables)}"
        self.serve(target, *replies)
        return target

    def graphql_hits(self) -> list[Hit]:
        return [hit for hit in self.hits if "?graphql=" in hit.path]

    def reply_to(self, target: str, headers: dict[str, str]) -> Reply:
        key = route_key(target)
        if key not in self.routes:
            # A site that ignores the sort: the default order's route answers (and is hit).
            key = route_key(target, ordered=False)
        with self._lock:
            self.hits.append(Hit(key, time.monotonic(), headers))
            replies = self.routes.get(key)
            if not replies:
                return Reply("not found", status=404, content_type="text/plain")
            return replies.pop(0) if len(replies) > 1 else replies[0]

    def hits_of(self, target: str) -> list[Hit]:
        return [hit for hit in self.hits if hit.path == route_key(target)]

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def _handler_for(site: LocalSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            reply = site.reply_to(self.path, dict(self.headers.items()))
            time.sleep(reply.delay + site.slowness)
            body = reply.body.encode("utf-8")
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # a client that timed out (a slow reply) has gone

        def log_message(self, format: str, *args: object) -> None:
            pass  # the tests assert on `site.hits`, not on stderr

    return Handler


def running_site() -> Iterator[LocalSite]:
    site = LocalSite()
    try:
        yield site
    finally:
        site.stop()
