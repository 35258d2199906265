"""Several server processes for the control API, sharing the connections evenly.

uvicorn's ``--workers`` has every process accept from one shared socket: whichever process wakes first takes
every waiting connection, and keep-alive clients stay where they landed (under the checks-list benchmark one
process served all 20 clients while the other idled). A ``SO_REUSEPORT`` socket per process spreads them by a
hash of the addresses instead: 15 to 5 about as often as 10 to 10, and the p95 followed the luck of the draw.

Here the parent accepts every connection and hands it to the server processes in turn, over a Unix socket pair
(``SCM_RIGHTS``); each process serves what it is handed. A process that dies stops the others and the exit code
says so, so that the service manager (compose, systemd) restarts the whole API.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import multiprocessing
import signal
import socket
import threading
from typing import Any

import uvicorn

log = logging.getLogger(__name__)
STOP_TIMEOUT_S = 30.0
BACKLOG = 2048


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


class HandedConnections(uvicorn.Server):
    """uvicorn serving the connections its parent hands over, instead of accepting its own."""

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self._channel = channel

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the app and its lifespan; no socket of its own
        self._channel.setblocking(False)
        asyncio.get_running_loop().add_reader(self._channel.fileno(), self._receive)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        asyncio.get_running_loop().remove_reader(self._channel.fileno())
        await super().shutdown(sockets)

    def _receive(self) -> None:
        try:
            data, fds, _, _ = socket.recv_fds(self._channel, 64, 64)
        except BlockingIOError:
            return
        if not data:  # the parent is gone: nobody hands us connections any more
            self.should_exit = True
            return
        for fd in fds:
            asyncio.get_running_loop().create_task(self._serve_connection(socket.socket(fileno=fd)))

    async def _serve_connection(self, connection: socket.socket) -> None:
        try:
            await asyncio.get_running_loop().connect_accepted_socket(self._protocol, connection)
        except OSError:  # the client left before we took it up
            connection.close()

    def _protocol(self) -> asyncio.Protocol:
        # what uvicorn's own startup() builds for each connection it accepts
        return self.config.http_protocol_class(  # type: ignore[call-arg]
            config=self.config, server_state=self.server_state, app_state=self.lifespan.state
        )


def _serve(channel: socket.socket, config: dict[str, Any]) -> None:
    """One server process: uvicorn on the connections handed over ``channel``."""
    HandedConnections(uvicorn.Config(**config), channel).run()


def _hand_out(listener: socket.socket, channels: list[socket.socket], stopping: threading.Event) -> None:
    """Accept every connection and hand it to the next server process (round robin)."""
    listener.settimeout(0.5)
    turns = itertools.cycle(channels)
    while not stopping.is_set():
        try:
            connection, _ = listener.accept()
        except TimeoutError:
            continue
        except OSError:
            if stopping.is_set():
                return
            raise
        with connection:
            # No Nagle: a response's last segment must not wait for the client's delayed ACK (~40 ms).
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            try:
                socket.send_fds(next(turns), [b"c"], [connection.fileno()])
            except OSError:  # that process is gone; the supervisor below stops everything
                log.warning("could not hand a connection to an API process")


def run_processes(count: int, *, host: str, port: int, config: dict[str, Any]) -> int:
    """Run ``count`` server processes until a signal (exit 0) or until one of them ends (exit 1)."""
    listener = listening_socket(host, port)
    pairs = [socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM) for _ in range(count)]
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of the parent's state
    processes = [
        context.Process(target=_serve, args=(theirs, config), name=f"api-{n}", daemon=False)
        for n, (_, theirs) in enumerate(pairs)
    ]
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    for process in processes:
        process.start()
    for _, theirs in pairs:
        theirs.close()
    hand = threading.Thread(target=_hand_out, args=(listener, [ours for ours, _ in pairs], stopping), daemon=True)
    hand.start()
    while not stopping.is_set() and hand.is_alive() and all(process.is_alive() for process in processes):
        stopping.wait(0.5)
    failed = not stopping.is_set()
    if failed:
        log.error("an API process ended (exit code %s); stopping the others", [p.exitcode for p in processes])
    stopping.set()
    listener.close()
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: uvicorn finishes the requests in flight
    for process in processes:
        process.join(STOP_TIMEOUT_S)
        if process.is_alive():
            process.kill()
    return 1 if failed else 0
