"""The docs convention (docs/contributing.md), read out of Markdown pages.

A fenced block tagged ``console`` holds runnable commands, each on a line
starting with ``$ `` (a trailing `` \\`` continues it on the next line); the
lines after a command, up to the next one, are what it prints. Every other
block is shown, never run.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)")
PROMPT = "$ "
#: In a shown output line, ``...`` (or ``…``) stands for anything: run ids, times, paths.
ELISION = re.compile(r"\.\.\.|…")


@dataclass(frozen=True)
class Command:
    where: str  # "docs/archive.md:12", for the failure message
    line: str
    output: tuple[str, ...]


@dataclass(frozen=True)
class Block:
    where: str
    tag: str
    lines: tuple[str, ...]


def blocks(path: Path, root: Path) -> Iterator[Block]:
    """Every fenced block of the page at `path`."""
    name = path.relative_to(root).as_posix()
    fence: str | None = None
    tag, start = "", 0
    lines: list[str] = []
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = FENCE.match(text)
        if fence is None and match:
            fence, tag, start, lines = match.group(1), match.group(2), number, []
        elif fence is not None and text.strip().startswith(fence) and not text.strip(fence[0]):
            yield Block(f"{name}:{start}", tag, tuple(lines))
            fence = None
        elif fence is not None:
            lines.append(text)


def commands(block: Block) -> list[Command]:
    """The commands of a ``console`` block, each with the output shown after it."""
    page, fence_line = block.where.rsplit(":", 1)
    found: list[Command] = []
    output: list[str] = []
    line, at, continued = "", 0, False
    for number, text in enumerate(block.lines, start=int(fence_line) + 1):
        if continued:
            line += "\n" + text
        elif text.startswith(PROMPT):
            if line:
                found.append(Command(f"{page}:{at}", line, tuple(output)))
            line, output, at = text[len(PROMPT) :], [], number
        elif text.strip():
            output.append(text)
        continued = text.endswith("\\")
    if line:
        found.append(Command(f"{page}:{at}", line, tuple(output)))
    return found


def normalised(text: str) -> str:
    return " ".join(text.split())


def missing_output(shown: tuple[str, ...], printed: str) -> str | None:
    """The first shown line not printed, or ``None``.

    Each shown line must be part of a printed line, in the order shown, spaces
    compared loosely, ``...`` matching anything; printed lines in between are
    allowed (a block shows what matters, not every log line).
    """
    printed_lines = [normalised(line) for line in printed.splitlines()]
    at = 0
    for expected in shown:
        pattern = re.compile(
            ".*".join(re.escape(normalised(part)) for part in ELISION.split(expected))
        )
        while at < len(printed_lines) and not pattern.search(printed_lines[at]):
            at += 1
        if at == len(printed_lines):
            return expected
        at += 1
    return None
