"""Run the replica in a background thread on a free port, for tests in the same process.

with run_server(ReplicaConfig(token="123:ABC")) as server:
    app = ApplicationBuilder().token("123:ABC").base_url(server.base_url) ...
    server.send_text(42, "/start")
"""

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn

from telegram_replica.app import create_app
from telegram_replica.config import ReplicaConfig
from telegram_replica.replica import Replica


class ReplicaServer(Replica):
    """A replica that is being served; adds where to reach it."""

    def __init__(self, config: ReplicaConfig | None, *, host: str, port: int) -> None:
        super().__init__(config)
        self.host = host
        self.port = port

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(…)`` / ``Bot(base_url=…)``; PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"


@contextlib.contextmanager
def run_server(
    config: ReplicaConfig | None = None, *, host: str = "127.0.0.1", startup_timeout: float = 10.0
) -> Iterator[ReplicaServer]:
    """Serve a fresh replica until the block ends; the port is picked by the OS."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    replica = ReplicaServer(config, host=host, port=sock.getsockname()[1])
    uv_config = uvicorn.Config(create_app(replica), log_level="warning", lifespan="on", timeout_graceful_shutdown=2)
    server = uvicorn.Server(uv_config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="telegram-replica", daemon=True)
    thread.start()
    try:
        _wait_started(server, thread, startup_timeout)
        yield replica
    finally:
        replica.updates.close()  # a pending long poll would otherwise hold the shutdown for its timeout
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def _wait_started(server: uvicorn.Server, thread: threading.Thread, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("telegram replica did not start")
        time.sleep(0.01)
