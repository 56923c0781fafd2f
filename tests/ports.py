"""Ports for the servers the tests start, and for connections that must be refused."""

from __future__ import annotations

import random
import socket
from pathlib import Path

#: The range of ports the kernel hands out to connections (and to a bind to port 0).
EPHEMERAL_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
#: The ports picked from here up to the ephemeral range.
LOWEST = 20_000


def _first_ephemeral_port() -> int:
    try:
        return int(EPHEMERAL_RANGE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32_768  # Linux's default


def free_port() -> int:
    """A port of 127.0.0.1 that nothing listens on. Not an ephemeral one, as binding to
    port 0 would give: every connection the run opens (hundreds a second, from four
    workers) takes one of those, and may take this one before its server binds it."""
    highest = _first_ephemeral_port()
    # Too few ports below the ephemeral range (a system that starts it low): port 0.
    below = highest - LOWEST > 1_000
    for _ in range(200):
        with socket.socket() as probe:
            port = random.randrange(LOWEST, highest) if below else 0
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            found: int = probe.getsockname()[1]
            return found
    raise RuntimeError("no free port on 127.0.0.1")
