"""WARC files (ISO 28500) of a crawl's requests and responses, via `warcio`."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from scrapy.http import Headers, Request, Response
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

#: Never archived: credentials and session state of whoever ran the crawl.
PRIVATE_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "set-cookie2"}
)
#: The body is stored de-chunked, its length as stored. (Scrapy removes
#: ``Content-Encoding`` once it has decoded a body; if one is left, so is the encoding.)
TRANSFER_HEADERS = frozenset({"transfer-encoding", "content-length"})


RECORD_ID = "WARC-Record-ID"


class WarcLog:
    """Appends request/response record pairs to a gzipped WARC file."""

    def __init__(self, path: Path, software: str) -> None:
        self._file = path.open("ab")
        self._writer = WARCWriter(self._file, gzip=True)
        info = self._writer.create_warcinfo_record(path.name, {"software": software})
        self._writer.write_record(info)

    def write(self, request: Request, response: Response) -> None:
        body = response.body
        headers = _header_pairs(response.headers, TRANSFER_HEADERS)
        headers.append(("Content-Length", str(len(body))))
        reply = self._writer.create_warc_record(
            response.url,
            "response",
            payload=BytesIO(body),
            length=len(body),  # a known length keeps warcio from spooling to a temp file
            http_headers=StatusAndHeaders(
                _status_line(response.status),
                headers,
                protocol=response.protocol or "HTTP/1.1",
            ),
        )
        parts = urlsplit(request.url)
        target = parts.path or "/"
        if parts.query:
            target += f"?{parts.query}"
        asked = self._writer.create_warc_record(
            request.url,
            "request",
            payload=BytesIO(request.body),
            length=len(request.body),
            http_headers=StatusAndHeaders(
                f"{request.method} {target} HTTP/1.1",
                [("Host", parts.netloc), *_header_pairs(request.headers)],
                is_http_request=True,
            ),
            warc_headers_dict={"WARC-Concurrent-To": reply.rec_headers.get_header(RECORD_ID)},
        )
        self._writer.write_record(asked)
        self._writer.write_record(reply)

    def close(self) -> None:
        self._file.close()


def successful_bodies(path: Path) -> Iterator[tuple[str, bytes, str | None]]:
    """``(URL, body, Content-Type)`` of every 200 response in a WARC file, decoded."""
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            if record.http_headers.get_statuscode() != "200":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            content_type = record.http_headers.get_header("Content-Type")
            yield url, record.content_stream().read(), content_type


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _header_pairs(headers: Headers, dropped: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        if name.decode("latin-1").lower() not in PRIVATE_HEADERS | dropped
        for value in values
    ]
