"""Spider arguments (``-a name=value``), validated before anything is fetched."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PositiveInt,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from reviewcrawler.recording.directory import MANIFEST as REPLAY_MANIFEST
from reviewcrawler.recording.directory import read_manifest
from reviewcrawler.urls import review_page_title, title_reviews_url

PAGE_SUFFIXES = (".html", ".htm")
WARC_SUFFIXES = (".warc", ".warc.gz")


def _split_commas(value: Any) -> Any:
    """``-a path=a.html,b.html`` arrives as one string."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CommaList = Annotated[list[str], BeforeValidator(_split_commas)]


class ReviewsParams(BaseModel):
    """Arguments of the ``reviews`` spider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Saved pages or directories of them (``*.html``/``*.htm``, recursively).
    path: CommaList = []
    #: Title ids: the titles to crawl, or the title of saved pages that do not name it.
    title: CommaList = []
    #: Review-page URLs to start crawling at (``…/title/ttN/reviews``).
    url: CommaList = []
    #: Pages to read per title at most (the first page is page 1).
    max_pages: PositiveInt | None = None
    #: A recording to serve every request from: a directory with manifest.json, or a WARC.
    replay: Path | None = None
    #: Directory to record every live response into (the ``RECORD_DIR`` setting).
    record: Path | None = None

    @field_validator("path")
    @classmethod
    def _paths_exist(cls, paths: list[str]) -> list[str]:
        for raw in paths:
            path = Path(raw)
            if not path.exists():
                raise ValueError(f"path does not exist: {raw}")
            if path.is_dir() and not page_files(path):
                raise ValueError(f"no .html/.htm pages under {raw}")
        return paths

    @field_validator("title")
    @classmethod
    def _title_ids(cls, titles: list[str]) -> list[str]:
        for title in titles:
            if not (title.startswith("tt") and title[2:].isdigit()):
                raise ValueError(f"not an IMDb title id (ttNNNNNNN): {title!r}")
        return titles

    @field_validator("url")
    @classmethod
    def _review_urls(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if review_page_title(url) is None:
                raise ValueError(f"not an http(s) review-page URL (.../title/ttN/reviews): {url!r}")
        return urls

    @field_validator("replay")
    @classmethod
    def _replayable(cls, replay: Path | None) -> Path | None:
        if replay is None:
            return None
        if replay.is_file() and replay.name.endswith(WARC_SUFFIXES):
            return replay
        if not replay.is_dir():
            raise ValueError(f"no such directory (or .warc.gz file): {replay}")
        if not (replay / REPLAY_MANIFEST).is_file():
            raise ValueError(f"no {REPLAY_MANIFEST} in {replay}")
        read_manifest(replay)  # a malformed one is a usage error, not a crash mid-crawl
        return replay

    @field_validator("record")
    @classmethod
    def _recordable(cls, record: Path | None) -> Path | None:
        if record is not None and record.exists() and not record.is_dir():
            raise ValueError(f"not a directory: {record}")
        return record

    @model_validator(mode="after")
    def _something_to_read(self, info: ValidationInfo) -> ReviewsParams:
        if info.context and info.context.get("cluster"):
            if self.path or self.title or self.url:
                raise ValueError(
                    "with REDIS_URL (cluster mode) titles come from `scrapy enqueue`; "
                    "give no path=, title= or url="
                )
            return self
        if not self.path and not self.title and not self.url:
            raise ValueError(
                "nothing to read: give -a path=PAGE_OR_DIR[,...], -a title=ttNNN or -a url=URL"
            )
        if self.path and (self.url or self.max_pages or self.replay or self.record):
            raise ValueError(
                "path= reads saved pages; url=, max_pages=, replay=, record= are for crawls"
            )
        if self.replay and self.record:
            raise ValueError("give replay= or record=, not both")
        titles = self.title + [review_page_title(url) or "" for url in self.url]
        repeated = sorted({title for title in titles if titles.count(title) > 1})
        if repeated:
            raise ValueError(f"more than one start for {', '.join(repeated)}")
        return self

    @property
    def crawling(self) -> bool:
        """Fetch pages (``title=``/``url=``) rather than read saved ones (``path=``)."""
        return not self.path

    def starts(self, base_url: str) -> list[tuple[str, str]]:
        """``(title_id, first URL)`` of every title to crawl, titles before URLs."""
        starts = [(title, title_reviews_url(base_url, title)) for title in self.title]
        starts += [(review_page_title(url) or "", url) for url in self.url]
        return starts

    @classmethod
    def from_spider_kwargs(cls, kwargs: dict[str, Any], cluster: bool = False) -> ReviewsParams:
        """`cluster`: a cluster worker, whose titles come from Redis, not arguments."""
        # Scrapyd adds its own underscore-prefixed arguments (``_job``).
        arguments = {k: v for k, v in kwargs.items() if not k.startswith("_")}
        return cls.model_validate(arguments, context={"cluster": cluster})

    def pages(self) -> list[Path]:
        """Every page to read, each once, in a stable order."""
        seen: dict[Path, None] = {}
        for raw in self.path:
            path = Path(raw).resolve()
            for page in page_files(path) if path.is_dir() else [path]:
                seen.setdefault(page)
        return list(seen)


def page_files(directory: Path) -> list[Path]:
    return sorted(
        p for p in directory.rglob("*") if p.suffix.lower() in PAGE_SUFFIXES and p.is_file()
    )


def one_line(error: ValidationError) -> str:
    """A pydantic error as a single line a user can act on."""
    messages = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        messages.append(f"{where}: {message}" if where else message)
    return "; ".join(messages)
