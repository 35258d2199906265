"""A booking page that loads but never shows "Weiter", as a changed or broken page of the city would: tests and
benchmarks point ``MTA_PORTAL_PAGE_URL`` at it to make every evidence render fail."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PAGE = b"<!doctype html><title>Wartung</title><p>Die Terminvereinbarung ist gerade nicht erreichbar.</p>"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # the name http.server calls
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *_: object) -> None:
        pass


@contextmanager
def broken_page() -> Iterator[str]:
    """Serve the page on a free loopback port in a thread; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/buergerservice/terminvereinbarung.html"
    finally:
        server.shutdown()
        server.server_close()
