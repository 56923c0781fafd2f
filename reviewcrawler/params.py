"""Spider arguments (``-a name=value``), validated before anything is fetched."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Annotated, Any, Literal

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

from reviewcrawler.filepages import not_a_file
from reviewcrawler.ids import TITLE
from reviewcrawler.recording.directory import MANIFEST as REPLAY_MANIFEST
from reviewcrawler.recording.directory import read_manifest
from reviewcrawler.urls import check_site_url, review_page_title, title_reviews_url

PAGE_SUFFIXES = (".html", ".htm")
NOTHING_TO_READ = "nothing to read: give -a path=PAGE_OR_DIR[,...], -a title=ttNNN or -a url=URL"
WARC_SUFFIXES = (".warc", ".warc.gz")


def _split_commas(value: Any) -> Any:
    """``-a path=a.html,b.html`` arrives as one string."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


CommaList = Annotated[list[str], BeforeValidator(_split_commas)]

#: Which reviews come first: ``newest`` (submission date, what scheduled runs
#: need to stop when caught up) or ``helpful`` (IMDb's default order).
Order = Literal["newest", "helpful"]
#: ``-a full=`` spellings; pydantic's own bool accepts ``yes``/``on`` too, which
#: the documentation never promises.
FULL_VALUES = {"0": False, "1": True, "false": False, "true": True}


def _full_flag(value: Any) -> Any:
    if isinstance(value, str):
        if value.strip().lower() not in FULL_VALUES:
            raise ValueError(f"give 0, 1, true or false, not {value!r}")
        return FULL_VALUES[value.strip().lower()]
    return value


FullFlag = Annotated[bool, BeforeValidator(_full_flag)]


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
    #: The order a title's pages are asked for; ``max_pages=N`` is the first N*25 of it.
    order: Order = "newest"
    #: Read every page even when the archive is caught up (edits of old reviews).
    full: FullFlag = False

    @field_validator("path")
    @classmethod
    def _paths_exist(cls, paths: list[str]) -> list[str]:
        for raw in paths:
            path = Path(raw)
            try:
                info = path.stat()
            except FileNotFoundError:
                raise ValueError(f"path does not exist: {raw}") from None
            except OSError as error:
                raise ValueError(f"cannot read {raw}: {error.strerror}") from None
            if stat.S_ISDIR(info.st_mode):
                if not page_files(path):
                    raise ValueError(f"no .html/.htm pages under {raw}")
            elif problem := not_a_file(info):
                # A FIFO would block the run for ever, a device never end: never opened.
                raise ValueError(f"{raw}: {problem}; give saved pages or directories of them")
        return paths

    @field_validator("title")
    @classmethod
    def _title_ids(cls, titles: list[str]) -> list[str]:
        for title in titles:
            TITLE.check(title)
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
        context = info.context or {}
        if context.get("cluster"):
            if self.path or self.title or self.url:
                raise ValueError(
                    "with REDIS_URL (cluster mode) titles come from `scrapy enqueue`; "
                    "give no path=, title= or url="
                )
            return self
        # `scrapy parse`/`scrapy check` name their own pages: no argument is needed there.
        required = context.get("require_input", True)
        if required and self.nothing_to_read:
            raise ValueError(NOTHING_TO_READ)
        crawl_only = {"url", "max_pages", "replay", "record", "order", "full"}
        if self.path and crawl_only & self.model_fields_set:
            raise ValueError(
                "path= reads saved pages whole, in file order; "
                "url=, max_pages=, replay=, record=, order=, full= are for crawls"
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
        """``(title_id, first URL)`` of every title to crawl, titles before URLs;
        a `ValueError` if ``IMDB_BASE_URL`` (`base_url`) makes no review-page URL."""
        for title_id in self.title:
            check_site_url(base_url, title_id)
        starts = [(title, title_reviews_url(base_url, title)) for title in self.title]
        return starts + [(review_page_title(url) or "", url) for url in self.url]

    @classmethod
    def from_spider_kwargs(
        cls, kwargs: dict[str, Any], *, require_input: bool = True, cluster: bool = False
    ) -> ReviewsParams:
        """The arguments; without `require_input`, none at all is valid too; `cluster`: a
        cluster worker, whose titles come from Redis, not arguments."""
        # Scrapyd adds its own underscore-prefixed arguments (``_job``).
        arguments = {k: v for k, v in kwargs.items() if not k.startswith("_")}
        context = {"require_input": require_input, "cluster": cluster}
        return cls.model_validate(arguments, context=context)

    @property
    def nothing_to_read(self) -> bool:
        return not self.path and not self.title and not self.url

    def pages(self) -> list[Path]:
        """Every page to read, each once, in a stable order."""
        seen: dict[Path, None] = {}
        for raw in self.path:
            path = Path(raw).resolve()
            for page in page_files(path) if path.is_dir() else [path]:
                seen.setdefault(page)
        return list(seen)


def page_files(directory: Path) -> list[Path]:
    """The pages under `directory`. A FIFO or a device named like one is listed too,
    so that reading it says why it was skipped (the reader never opens it to block)."""
    return sorted(
        p for p in directory.rglob("*") if p.suffix.lower() in PAGE_SUFFIXES and not p.is_dir()
    )


def one_line(error: ValidationError) -> str:
    """A pydantic error as a single line a user can act on."""
    messages = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"])
        message = item["msg"].removeprefix("Value error, ")
        messages.append(f"{where}: {message}" if where else message)
    return "; ".join(messages)
