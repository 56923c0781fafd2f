"""Measuring: each variant of the benchmark as a whole process, timed by ``os.wait4``.

For one size N (pages; 25 reviews each) `measure_size` generates a corpus, then
in every round, in this order, runs each variant from the project directory:

  a  the floor: ``python -m benchmarks.floor PAGES -o a.jsonl --expect REVIEWS``
  b  the crawl as a user runs it: ``scrapy crawl reviews -a path=PAGES -O b.jsonl
     -s ARCHIVE_DIR=<fresh dir> -s LOG_LEVEL=WARNING``
  c  the same crawl again over the archive b just filled (the daily "nothing new" run)
  s  start-up: the same crawl over a one-page corpus, into a fresh archive

Wall time and peak RSS are per process (``os.wait4``: that process alone, not
cumulative); figures are medians over the rounds. Outputs are checked: the floor
must find every review and b must write exactly that many; a wrong output raises
`BenchmarkError`, which stops the benchmark.
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.corpus import FIXTURES, Corpus, generate

ROOT = Path(__file__).resolve().parents[1]
VARIANTS = {
    "a": "floor: plain lxml pass",
    "b": "crawl into a fresh archive",
    "c": "crawl again over the full archive",
    "s": "crawl of one page (start-up)",
}


#: A command line that starts Scrapy, instead of this interpreter's ``python -m scrapy``.
#: Figures mean something only with the default: the test suite's smoke runs set it to
#: Scrapy processes forked ready-imported, to check the benchmark works, not to time it.
SCRAPY_VARIABLE = "BENCH_SCRAPY"


def scrapy_command(*args: str) -> list[str]:
    """``scrapy ARGS`` as the benchmark runs it (see `SCRAPY_VARIABLE`)."""
    started_by = shlex.split(os.environ.get(SCRAPY_VARIABLE, ""))
    return [*(started_by or [sys.executable, "-m", "scrapy"]), *args]


class BenchmarkError(RuntimeError):
    """An output was wrong: the figures would mean nothing."""


@dataclass(slots=True)
class Run:
    variant: str
    pages: int
    round: int
    wall_s: float
    user_s: float
    sys_s: float
    maxrss_mib: float
    exit_code: int
    reviews_out: int | None


def measure(command: Sequence[str], log_dir: Path, label: str) -> tuple[float, Any, int]:
    """Run `command` from the project dir; (wall seconds, its own rusage, exit code)."""
    pythonpath = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(pythonpath)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    with (
        (log_dir / f"{label}.stdout").open("wb") as stdout,
        (log_dir / f"{label}.stderr").open("wb") as stderr,
    ):
        start = time.perf_counter()
        process = subprocess.Popen(
            list(command), cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage, process.returncode


def floor_command(corpus: Corpus, output: Path) -> list[str]:
    return [
        sys.executable, "-m", "benchmarks.floor", str(corpus.pages_dir),
        "-o", str(output), "--expect", str(corpus.reviews),
    ]  # fmt: skip


def crawl_command(pages_dir: Path, output: Path, archive: Path) -> list[str]:
    return scrapy_command(
        "crawl", "reviews", "-a", f"path={pages_dir}", "-O", str(output),
        "-s", f"ARCHIVE_DIR={archive}", "-s", "LOG_LEVEL=WARNING",
    )  # fmt: skip


def count_lines(path: Path) -> int | None:
    if not path.exists():
        return None
    with path.open("rb") as lines:
        return sum(1 for line in lines if line.strip())


def tail(path: Path, lines: int = 15) -> str:
    if not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def execute(
    variant: str,
    command: list[str],
    output: Path,
    pages: int,
    round_: int,
    log_dir: Path,
    label: str = "",
) -> Run:
    label = label or f"{variant}-{pages}-{round_}"
    wall, usage, code = measure(command, log_dir, label)
    run = Run(
        variant=variant,
        pages=pages,
        round=round_,
        wall_s=round(wall, 4),
        user_s=round(usage.ru_utime, 4),
        sys_s=round(usage.ru_stime, 4),
        maxrss_mib=round(usage.ru_maxrss / 1024, 1),  # KiB on Linux
        exit_code=code,
        reviews_out=count_lines(output),
    )
    if code != 0:
        raise BenchmarkError(
            f"{label} ({VARIANTS[variant]}) exited {code}: {' '.join(command)}\n"
            + tail(log_dir / f"{label}.stderr")
        )
    return run


def check_count(run: Run, expected: int) -> None:
    if run.reviews_out != expected:
        raise BenchmarkError(
            f"{run.variant} at {run.pages} pages wrote {run.reviews_out} reviews, "
            f"expected {expected}"
        )


def one_page_run(
    page: Corpus, archive: Path, output: Path, round_: int, logs: Path, label: str
) -> Run:
    """A crawl of `page` (one generated page) into `archive`, timed as variant ``s``;
    `BenchmarkError` unless it wrote every review of the page."""
    run = execute(
        "s", crawl_command(page.pages_dir, output, archive), output, 1, round_, logs, label=label
    )
    check_count(run, page.reviews)
    return run


def measure_size(
    pages: int, repeat: int, work: Path, startup: Corpus, options: dict[str, Any]
) -> dict[str, Any]:
    size_dir = work / f"n{pages}"
    logs = size_dir / "logs"
    corpus = generate(size_dir / "corpus", pages, **options)
    logs.mkdir(parents=True)
    runs: list[Run] = []
    for round_ in range(repeat):
        out = size_dir / f"round{round_}"
        out.mkdir()
        archive = out / "archive"
        a = execute(
            "a", floor_command(corpus, out / "a.jsonl"), out / "a.jsonl", pages, round_, logs
        )
        check_count(a, corpus.reviews)
        b_cmd = crawl_command(corpus.pages_dir, out / "b.jsonl", archive)
        b = execute("b", b_cmd, out / "b.jsonl", pages, round_, logs)
        check_count(b, corpus.reviews)
        c_cmd = crawl_command(corpus.pages_dir, out / "c.jsonl", archive)
        c = execute("c", c_cmd, out / "c.jsonl", pages, round_, logs)
        s_cmd = crawl_command(startup.pages_dir, out / "s.jsonl", out / "archive-s")
        s = execute("s", s_cmd, out / "s.jsonl", startup.pages, round_, logs, label=f"s-{round_}")
        check_count(s, startup.reviews)
        runs += [a, b, c, s]
        shutil.rmtree(out)  # outputs and archives can be large at 4,000 pages
        print(
            f"  N={pages} round {round_ + 1}/{repeat}: "
            + "  ".join(f"{r.variant} {r.wall_s:.2f}s {r.maxrss_mib:.0f}MiB" for r in runs[-4:]),
            flush=True,
        )
    shutil.rmtree(corpus.pages_dir)
    return {
        "pages": pages,
        "reviews": corpus.reviews,
        "corpus": corpus.manifest(),
        "medians": medians(runs),
        "runs": [asdict(r) for r in runs],
    }


def medians(runs: Sequence[Run]) -> dict[str, dict[str, float | int | None]]:
    result: dict[str, dict[str, float | int | None]] = {}
    for variant in VARIANTS:
        chosen = [r for r in runs if r.variant == variant]
        if not chosen:
            continue
        outs = {r.reviews_out for r in chosen}
        result[variant] = {
            "wall_s": round(statistics.median(r.wall_s for r in chosen), 4),
            "cpu_s": round(statistics.median(r.user_s + r.sys_s for r in chosen), 4),
            "maxrss_mib": round(statistics.median(r.maxrss_mib for r in chosen), 1),
            "reviews_out": outs.pop() if len(outs) == 1 else None,
            "runs": len(chosen),
        }
    return result


def figures(size: dict[str, Any], startup_s: float) -> dict[str, float | None]:
    m, n, reviews = size["medians"], size["pages"], size["reviews"]

    def rate(variant: str) -> float:
        return reviews / m[variant]["wall_s"]

    net = (m["b"]["wall_s"] - startup_s) / n
    return {
        "a_reviews_per_s": round(rate("a"), 1),
        "b_reviews_per_s": round(rate("b"), 1),
        "c_reviews_per_s": round(rate("c"), 1),
        "ratio_b_over_a": round(rate("b") / rate("a"), 4),
        # The same ratio by CPU time (user + sys): less sensitive to a busy machine.
        "ratio_b_over_a_cpu": round(m["a"]["cpu_s"] / m["b"]["cpu_s"], 4),
        "c_time_over_b": round(m["c"]["wall_s"] / m["b"]["wall_s"], 4),
        "a_maxrss_mib": m["a"]["maxrss_mib"],
        "b_maxrss_mib": m["b"]["maxrss_mib"],
        "c_maxrss_mib": m["c"]["maxrss_mib"],
        "b_ms_per_page": round(1000 * m["b"]["wall_s"] / n, 3),
        "b_net_ms_per_page": round(1000 * net, 3),
        "startup_s": round(startup_s, 4),
    }


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "hostname": platform.node(),
    }
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        models = [ln.split(":", 1)[1].strip() for ln in cpuinfo.splitlines() if "model name" in ln]
        info["cpu_model"] = models[0] if models else None
        meminfo = Path("/proc/meminfo").read_text().split()
        info["memory_mib"] = int(meminfo[meminfo.index("MemTotal:") + 1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    info["loadavg_at_start"] = os.getloadavg()
    return info


def versions() -> dict[str, str | None]:
    result: dict[str, str | None] = {"python": platform.python_version()}
    for package in ("scrapy", "lxml", "parsel", "itemloaders", "twisted", "reviewcrawler"):
        try:
            result[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            result[package] = None
    return result


def project_state() -> dict[str, Any]:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True, timeout=10
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    status = git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": git("rev-parse", "HEAD"),
        "branch": git("rev-parse", "--abbrev-ref", "HEAD"),
        "dirty": None if status is None else bool(status),
        "fixtures_dir": str(FIXTURES),
    }
