"""Spider arguments (``-a name=value``), validated before anything is fetched."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    field_validator,
    model_validator,
)

PAGE_SUFFIXES = (".html", ".htm")


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

    @model_validator(mode="after")
    def _something_to_read(self) -> ReviewsParams:
        if not self.path and not self.title:
            raise ValueError("nothing to read: give -a path=PAGE_OR_DIR[,...] or -a title=ttNNN")
        return self

    @classmethod
    def from_spider_kwargs(cls, kwargs: dict[str, Any]) -> ReviewsParams:
        # Scrapyd adds its own underscore-prefixed arguments (``_job``).
        return cls(**{k: v for k, v in kwargs.items() if not k.startswith("_")})

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
