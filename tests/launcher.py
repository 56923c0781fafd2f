"""``scrapy`` command lines, each in a process of its own, without ~1 s of start-up each.

The suite runs a few hundred ``scrapy`` commands; started as ``python -m scrapy``, each
spends most of its life importing Scrapy, Twisted and the project before it does
anything. Here every command runs in a process forked from a fork server that imported
them once (multiprocessing's ``forkserver`` with preloaded modules): one for the whole
run, in the process that started it, which runs the commands of every pytest-xdist
worker sent to it over a Unix socket (`serve_this_run`). It is still a process of its
own: its own reactor, working directory, environment, signals, exit status and
stdout/stderr, run by ``scrapy.cmdline.execute`` as the ``scrapy`` script does. What
this leaves out, interpreter start-up and the installed ``scrapy`` script (and a
warning raised while importing), the docs pages' commands run as written (tests/docs).
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import select
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from multiprocessing import reduction
from multiprocessing.context import ForkServerContext
from pathlib import Path
from types import TracebackType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

#: What every command imports anyway (`tests.launcher_preload`); should it fail to import,
#: each command imports what it needs itself.
PRELOAD = ["tests.launcher_preload"]
#: Where the run's command server listens, for every process of the run: pytest-xdist's
#: workers inherit it from the process that serves (`serve_this_run`).
ADDRESS_VARIABLE = "REVIEWCRAWLER_TEST_COMMANDS"


def scrapy_env() -> dict[str, str]:
    """The environment of a ``scrapy`` command run from the project directory."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in ("SCRAPY_SETTINGS_MODULE", ADDRESS_VARIABLE):
        env.pop(name, None)
    return env


@functools.cache
def _fork_server() -> ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    assert isinstance(context, ForkServerContext)
    context.set_forkserver_preload(PRELOAD)
    return context


class _PassedFd:
    """A file descriptor of this process handed to the child, as multiprocessing hands
    over a pipe: the fork server receives a copy and passes it on to the child."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __reduce__(self) -> tuple[Callable[[Any], int], tuple[Any]]:
        return _detached, (reduction.DupFd(self.fd),)


def _detached(passed: Any) -> int:
    fd: int = passed.detach()
    return fd


def _scrapy_main(
    args: list[str], cwd: str, env: dict[str, str], *streams: str | int | None
) -> None:
    """The child: ``scrapy ARGS`` in `cwd` with `env`. `streams` are stdout and stderr,
    or stdin, stdout and stderr: each a file name to append to, or a descriptor."""
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    time.tzset()
    targets = (1, 2) if len(streams) == 2 else (0, 1, 2)
    for fd, stream in zip(targets, streams, strict=True):
        if stream is None:  # stderr into stdout
            os.dup2(1, fd)
            continue
        opened = os.open(stream, os.O_WRONLY | os.O_APPEND) if isinstance(stream, str) else stream
        os.dup2(opened, fd)
        os.close(opened)
    if 0 in targets:
        sys.stdin = open(0, closefd=False)  # noqa: SIM115 - fd 0, for the process's life
    sys.argv = ["scrapy", *args]
    from scrapy.cmdline import execute

    try:
        execute(sys.argv)
    finally:
        # An interpreter runs them at exit; a multiprocessing child leaves with os._exit.
        atexit._run_exitfuncs()


class Launched:
    """A ``scrapy`` command running in the background, shaped like `subprocess.Popen`."""

    def __init__(self, args: Sequence[str], *, log: Path | None, merge: bool) -> None:
        self.args = ["scrapy", *args]
        # Output goes into files (a pipe could fill while nobody reads it): `log`, and
        # what it does not take into a scratch directory of this run's.
        self._scratch = (
            None if log is not None and merge else tempfile.mkdtemp(prefix="scrapy-run-")
        )
        scratch = Path(self._scratch or "")
        self._stdout = log if log is not None else scratch / "stdout"
        self._stderr = None if merge else scratch / "stderr"
        self._stdout.write_bytes(b"")
        if self._stderr is not None:
            self._stderr.write_bytes(b"")
        request = {
            "args": list(args), "cwd": str(ROOT), "env": scrapy_env(),
            "streams": [str(self._stdout), None if self._stderr is None else str(self._stderr)],
        }  # fmt: skip
        self._connection = socket.socket(socket.AF_UNIX)
        self._connection.connect(_server_address())
        self._connection.sendall(json.dumps(request).encode())
        self._connection.shutdown(socket.SHUT_WR)
        self._replies = b""
        pid = self._reply(None)
        assert pid is not None  # no timeout: a line, or the server left (an error)
        self.pid = int(pid)
        self._status: int | None = None

    def _reply(self, timeout: float | None) -> bytes | None:
        """The server's next line: the pid, then the exit status; ``None`` if it has not
        come within `timeout` seconds."""
        while b"\n" not in self._replies:
            ready, _, _ = select.select([self._connection], [], [], timeout)
            if not ready:
                return None
            chunk = self._connection.recv(64)
            if not chunk:
                raise RuntimeError(f"the command server left without an answer: {self.args}")
            self._replies += chunk
        line, self._replies = self._replies.split(b"\n", 1)
        return line

    def _ended(self, timeout: float | None) -> int | None:
        """The exit status, once the server sent it (then the connection is done)."""
        if self._status is None and (line := self._reply(timeout)) is not None:
            self._status = int(line)
            self._connection.close()
        return self._status

    @property
    def returncode(self) -> int | None:
        return self._ended(0)

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        status = self._ended(timeout)
        if status is None:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        return status

    def send_signal(self, sent: signal.Signals) -> None:
        if self.returncode is None:
            os.kill(self.pid, sent)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def output(self) -> tuple[str, str]:
        """Stdout and stderr so far (stderr empty when merged into stdout)."""
        out = self._stdout.read_text(encoding="utf-8", errors="replace")
        err = "" if self._stderr is None else self._stderr.read_text("utf-8", "replace")
        return out, err

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        self.wait(timeout)
        return self.output()

    def close(self) -> None:
        """Kill it if it still runs; its exit status stays, its output goes."""
        self.kill()
        self.wait()
        if self._scratch is not None:
            shutil.rmtree(self._scratch, ignore_errors=True)
            self._scratch = None

    def __enter__(self) -> Launched:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:  # fmt: skip
        self.close()


def start(args: Sequence[str], *, log: Path | None = None, merge: bool = False) -> Launched:
    """``scrapy ARGS`` in the background, from the project directory; its output into
    `log` if given (stderr too when `merge`), else kept for `Launched.output`."""
    return Launched(args, log=log, merge=merge)


def run(args: Sequence[str], *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """``scrapy ARGS`` to its end, as `subprocess.run` with ``capture_output`` would."""
    with start(args) as launched:
        try:
            status = launched.wait(timeout)
        except subprocess.TimeoutExpired:
            out, err = launched.output()
            raise subprocess.TimeoutExpired(launched.args, timeout, out, err) from None
        out, err = launched.output()
        return subprocess.CompletedProcess(launched.args, status, out, err)


#: A ``scrapy`` executable for a shell: it runs the command through the run's command
#: server with the shell's stdin, stdout and stderr, and exits as the command did.
CLIENT_SCRIPT = """#!{python} -IS
import json, os, signal, socket, sys
with socket.socket(socket.AF_UNIX) as server:
    server.connect({address!r})
    request = {{"args": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}}
    socket.send_fds(server, [json.dumps(request).encode()], [0, 1, 2])
    server.shutdown(socket.SHUT_WR)
    replies = b"".join(iter(lambda: server.recv(64), b""))
status = int(replies.split()[-1])  # after the command's pid
if status < 0:  # killed by a signal: so is this process, as the shell expects
    signal.signal(-status, signal.SIG_DFL)
    os.kill(os.getpid(), -status)
sys.exit(status)
"""


class _CommandHandler(socketserver.BaseRequestHandler):
    """One command: its request in, its pid out, then its exit status when it ends."""

    def handle(self) -> None:
        connection: socket.socket = self.request
        first, fds, _, _ = socket.recv_fds(connection, 1 << 16, 3)
        chunks = [first]
        while chunk := connection.recv(1 << 16):
            chunks.append(chunk)
        request = json.loads(b"".join(chunks))
        # Output into files named by the request, or into the descriptors it passed.
        streams = request.get("streams") or [_PassedFd(fd) for fd in fds]
        try:
            args = (request["args"], request["cwd"], request["env"], *streams)
            with _CHILDREN:
                process = _fork_server().Process(target=_scrapy_main, args=args)
                process.start()
        finally:
            for fd in fds:  # the child has its copies: a reader must see EOF when it ends
                os.close(fd)
        with contextlib.suppress(OSError):  # a client that left still has its command run out
            connection.sendall(f"{process.pid}\n".encode())
        multiprocessing.connection.wait([process.sentinel])
        with _CHILDREN:
            process.join()
            status = process.exitcode
            process.close()
        with contextlib.suppress(OSError):
            connection.sendall(f"{status}\n".encode())


#: multiprocessing's bookkeeping of a process's children is not thread-safe: starting one
#: polls the others, and two threads reading one exit status leave one of them 255.
_CHILDREN = threading.Lock()


@contextmanager
def serving(address: Path) -> Iterator[None]:
    """Run the commands of clients that connect to `address` (`Launched`, `CLIENT_SCRIPT`),
    meanwhile."""
    with socketserver.ThreadingUnixStreamServer(str(address), _CommandHandler) as server:
        server.daemon_threads = True
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield
        finally:
            server.shutdown()
            thread.join()


def serve_this_run(*, start_fork_server: bool = False) -> None:
    """This process serves every ``scrapy`` command of the run, its own and those of the
    processes it starts: one fork server, so Scrapy and the project are imported once.
    `start_fork_server`: now, not at the first command (which would wait for it)."""
    if os.environ.get(ADDRESS_VARIABLE):
        return
    if start_fork_server:
        _fork_server()  # which sets what the fork server preloads
        multiprocessing.forkserver.ensure_running()
    # A socket's path has at most ~100 bytes: not under a test's long tmp_path.
    sockets = tempfile.mkdtemp(prefix="scrapy-commands-")
    address = Path(sockets) / "scrapy.sock"
    until_exit = contextlib.ExitStack()
    until_exit.callback(shutil.rmtree, sockets, ignore_errors=True)
    until_exit.enter_context(serving(address))
    atexit.register(until_exit.close)
    os.environ[ADDRESS_VARIABLE] = str(address)


def _server_address() -> str:
    serve_this_run()
    return os.environ[ADDRESS_VARIABLE]


def install_client(path: Path) -> Path:
    """Make `path` (replaced if it exists) a ``scrapy`` executable whose commands the
    run's command server runs."""
    script = CLIENT_SCRIPT.format(python=sys.executable, address=_server_address())
    path.unlink(missing_ok=True)
    path.write_text(script, encoding="utf-8")
    path.chmod(0o755)
    return path
