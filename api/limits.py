"""Requests bounded before anything reads them, so an unauthenticated client cannot make the API buffer
megabytes: a body larger than ``MAX_BODY_BYTES`` gets 413 whoever sends it (the largest body we take, a
subscription, is under 2 KiB), a request line and headers larger than ``MAX_HEAD_BYTES`` get 431 from the server
itself (``HeadLimit``)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

MAX_BODY_BYTES = 64 * 1024
MAX_HEAD_BYTES = 64 * 1024  # browsers send a few KiB; nginx's default buffers take 32 KiB
HEAD_LIMITED_HTTP = "api.limits:HeadLimit"  # uvicorn's ``http`` setting, by import path for every process


class HeadLimit(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bound on the request's head. httptools buffers a header of any size
    before it calls back (one 32 MiB header was taken whole); here the bytes a request's head has taken are
    counted as they arrive, and a head still incomplete past ``MAX_HEAD_BYTES`` gets 431 and a closed
    connection. Memory stays within the bound plus one read."""

    _in_head = True  # a connection starts with a request's head
    _head_bytes = 0

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:  # the next bytes are the next request's head
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        if self._in_head and self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
            body = f"the request's line and headers are larger than {MAX_HEAD_BYTES} bytes".encode()
            self.transport.write(
                b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
                + f"content-length: {len(body)}\r\nconnection: close\r\n\r\n".encode()
                + body
            )
            self.transport.close()


class BodyLimit:
    """Pure ASGI: refuses by ``Content-Length`` at once, and a chunked body once its bytes pass the limit."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        if length is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body (a GET): nothing to count
            return
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _too_large(send, self.max_bytes)
            return
        seen, started, refused = 0, False, False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes and not refused:
                    refused = True
                    if not started:
                        await _too_large(send, self.max_bytes)
                    return {"type": "http.disconnect"}  # the app stops reading; what it answers is dropped
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, tracked)


async def _too_large(send: Send, max_bytes: int) -> None:
    body = json.dumps({"detail": f"the request body is larger than {max_bytes} bytes"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
