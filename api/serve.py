"""Several server processes for the control API, each on its own ``SO_REUSEPORT`` socket.

uvicorn's ``--workers`` has every process accept from one shared socket: whichever process wakes first takes
every waiting connection, and keep-alive clients stay where they landed. Under the checks-list benchmark one
process served all 20 clients while the other idled. With a socket per process, the kernel spreads new
connections over the processes. A process that dies stops the others and the exit code says so, so that the
service manager (compose, systemd) restarts the whole API.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
from typing import Any

import uvicorn

log = logging.getLogger(__name__)
STOP_TIMEOUT_S = 30.0


def reuse_port_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP named: asyncio sets TCP_NODELAY on accepted connections only when the socket says TCP.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _serve(host: str, port: int, config: dict[str, Any]) -> None:
    """One server process: its own socket on the shared port, and uvicorn on it."""
    uvicorn.Server(uvicorn.Config(**config)).run(sockets=[reuse_port_socket(host, port)])


def run_processes(count: int, *, host: str, port: int, config: dict[str, Any]) -> int:
    """Run ``count`` server processes until a signal (exit 0) or until one of them ends (exit 1)."""
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of the parent's state
    processes = [
        context.Process(target=_serve, args=(host, port, config), name=f"api-{n}", daemon=False) for n in range(count)
    ]
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    for process in processes:
        process.start()
    while not stopping.is_set() and all(process.is_alive() for process in processes):
        stopping.wait(0.5)
    if not stopping.is_set():
        log.error("an API process ended (exit code %s); stopping the others", [p.exitcode for p in processes])
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
    for process in processes:
        process.join(STOP_TIMEOUT_S)
        if process.is_alive():
            process.kill()
    return 0 if stopping.is_set() else 1
