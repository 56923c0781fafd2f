"""Every runnable command of README.md and docs/*.md runs as written, offline.

The convention is in docs/contributing.md. Each page runs in its own copy of the
repository (no .git, no .venv, no output; the project's .venv linked in), as a
user would from a fresh clone: the README from nothing, its first command being
``make crawl``; every docs/ page after ``make crawl`` (its files hard links to one
copy, but for those its commands write in place). Proxies pointing at a
closed local port make any attempt to use the network fail instead of fetch.

The README's first command, ``make crawl``, runs the installed ``scrapy`` script.
After it, ``scrapy`` in the copies is a client of the run's fork server
(`tests.launcher.install_client`): each command line still runs in bash as written,
each ``scrapy`` command in a process of its own with the shell's stdin, stdout,
stderr and exit status, without ~1 s of interpreter start-up and imports each.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests import launcher
from tests.conftest import ROOT
from tests.docs.markdown import Command, blocks, commands, missing_output

pytestmark = pytest.mark.slow

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
IGNORED = shutil.ignore_patterns(
    ".git", ".venv", "*.egg-info", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache",
    "build", "dist",
)  # fmt: skip
VENV = Path(sys.prefix)
#: Nothing listens on port 9 (discard): a request through this proxy fails at once.
NO_NETWORK = "http://127.0.0.1:9"
#: The suite itself: run by `make test`, so here only checked to be a target (`make -n`).
SELF = re.compile(r"^make test\b")
TIMEOUT = 180


def page_commands(page: Path) -> list[Command]:
    return [command for block in blocks(page, ROOT) if block.tag == "console"
            for command in commands(block)]


def not_copied(directory: str, names: list[str]) -> set[str]:
    """What a fresh clone lacks: caches, the environment, and all of output/ but its
    .gitkeep (left out of the copy rather than copied and deleted: `make test`'s mypy
    cache alone is thousands of files)."""
    ignored = IGNORED(directory, names)
    if Path(directory) == ROOT / "output":
        ignored |= {name for name in names if name != ".gitkeep"}
    return ignored


def fresh_copy(destination: Path) -> Path:
    """The working tree as a fresh clone has it, with the project's environment."""
    shutil.copytree(ROOT, destination, ignore=not_copied, symlinks=True)
    link_environment(destination / ".venv")
    return destination


#: What the pages' commands write to in place: the archive (its index, its review
#: files) and the recordings `make recordings` records again. A page gets copies of
#: these; every other file of its checkout is a hard link to the one checkout the
#: pages start from (a command writes new files there, never into existing ones).
WRITTEN_IN_PLACE = ("output", "recordings")


def page_checkout(base: Path, destination: Path) -> Path:
    """A page's checkout of `base`, its own where its commands write in place."""

    def place(source: str, target: str) -> str:
        if Path(source).relative_to(base).parts[0] in WRITTEN_IN_PLACE:
            return str(shutil.copy2(source, target))
        os.link(source, target)
        return target

    return shutil.copytree(base, destination, symlinks=True, copy_function=place)


def link_environment(venv: Path) -> None:
    """`venv`: the environment running these tests, and the Makefile's stamp saying that
    it is installed (make must not try to install anything offline). Its bin/ is a
    folder of links, so that one of them, ``scrapy``, can be replaced by a client."""
    venv.mkdir()
    for entry in VENV.iterdir():
        if entry.name == "bin":
            (venv / "bin").mkdir()
            for program in entry.iterdir():
                (venv / "bin" / program.name).symlink_to(program)
        elif not entry.name.startswith(".installed"):
            (venv / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    (venv / ".installed").touch()


def environment(checkout: Path) -> dict[str, str]:
    # A ``scrapy`` command's environment (`tests.launcher.scrapy_env`), proxies aside.
    env = {
        name: value
        for name, value in launcher.scrapy_env().items()
        if not name.lower().endswith("_proxy")
    }
    env.update(
        PATH=f"{checkout / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=str(checkout),
        http_proxy=NO_NETWORK,
        https_proxy=NO_NETWORK,
        HTTP_PROXY=NO_NETWORK,
        HTTPS_PROXY=NO_NETWORK,
        no_proxy="",
        PIP_NO_INDEX="1",
    )
    return env


def run(command: Command, checkout: Path) -> str | None:
    """Why `command` did not do what its page says, or ``None`` if it did."""
    line = command.line
    if SELF.match(line):
        line = "make --dry-run " + line.removeprefix("make ")
    done = subprocess.run(
        ["bash", "-c", line],
        cwd=checkout,
        env=environment(checkout),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    shown = f"{command.where}: $ {command.line}\n--- printed (exit {done.returncode}):\n"
    if done.returncode != 0:
        return shown + done.stdout[-4000:]
    if "DeprecationWarning" in done.stdout:
        return f"{shown}{done.stdout[-4000:]}\n--- printed a DeprecationWarning"
    missing = missing_output(command.output, done.stdout)
    if missing is not None:
        return f"{shown}{done.stdout[-4000:]}\n--- not printed: {missing}"
    return None


def run_commands(page_commands: list[Command], checkout: Path) -> str | None:
    """Run a page's commands in order; stop at the first that fails."""
    for command in page_commands:
        failure = run(command, checkout)
        if failure is not None:
            return failure
    return None


def is_make_crawl(command: Command) -> bool:
    return command.line.split("#")[0].strip() == "make crawl"


def is_readme(page: Path) -> bool:
    return page == ROOT / "README.md"


@pytest.fixture(scope="module")
def page_failures(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, str | None]:
    """Every page's run, pages in parallel (each in its own copy), as one CPU each."""
    workspace = tmp_path_factory.mktemp("docs")
    readme = ROOT / "README.md"
    readme_checkout = fresh_copy(workspace / "README")
    readme_commands = page_commands(readme)
    # The README starts from a fresh copy; the docs/ pages each from a copy of the
    # README's checkout after its first command, `make crawl`.
    first, *readme_commands = readme_commands
    assert is_make_crawl(first), f"the README starts with {first.line!r}, not make crawl"
    setup_failure = run(first, readme_checkout)
    assert setup_failure is None, setup_failure
    launcher.install_client(readme_checkout / ".venv" / "bin" / "scrapy")
    with ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        base = shutil.copytree(readme_checkout, workspace / "after-make-crawl", symlinks=True)
        checkouts = {readme: readme_checkout}
        runs = {readme: pool.submit(run_commands, readme_commands, readme_checkout)}
        for number, page in enumerate(page for page in PAGES if not is_readme(page)):
            checkouts[page] = page_checkout(base, workspace / f"page{number}")
            runs[page] = pool.submit(run_commands, page_commands(page), checkouts[page])
        failures = {page: run.result() for page, run in runs.items()}
    # A failing page's checkout is kept to look into; the others (most of the files the
    # suite leaves in its temporary directory) go now, not when a later run clears it.
    for page, failure in failures.items():
        if failure is None:
            shutil.rmtree(checkouts[page])
    shutil.rmtree(base)
    return failures


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_console_command_of_the_page_runs_as_written(
    page: Path, page_failures: dict[Path, str | None]
) -> None:
    failure = page_failures[page]
    assert failure is None, failure


def test_the_readme_starts_with_the_two_commands_that_set_everything_up() -> None:
    first = next(blocks(ROOT / "README.md", ROOT))
    assert first.tag == "console"
    assert [command.line.split("#")[0].strip() for command in commands(first)] == [
        "make crawl",
        "make test",
    ]


def test_the_readme_is_a_page_read_in_five_minutes() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 150


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_console_block_holds_a_command(page: Path) -> None:
    empty = [block.where for block in blocks(page, ROOT)
             if block.tag == "console" and not commands(block)]
    assert not empty, f"console blocks without a `$ ` line: {empty}"


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(ROOT).as_posix())
def test_every_relative_link_leads_to_a_file_of_the_repository(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    targets = [target for target in LINK.findall(text) if "://" not in target
               and not target.startswith("mailto:")]
    broken = [target for target in targets if not (page.parent / target).exists()]
    assert not broken, f"{page.name}: links to nothing: {broken}"

