"""Fake provider endpoints on 127.0.0.1 (Overpass, Google Places, Hunter, a web directory): real HTTP, the
providers' documented response shapes, and a record of every request they received."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Handler = Callable[["Request"], tuple[int, str, bytes]]  # -> status, content type, body


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body or b"{}")

    def form(self) -> dict[str, list[str]]:
        return parse_qs(self.body.decode())


@dataclass
class FakeServer:
    port: int
    routes: dict[tuple[str, str], Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def route(self, method: str, path: str, handler: Handler) -> None:
        self.routes[(method, path)] = handler

    def json_route(self, method: str, path: str, body: object, status: int = 200) -> None:
        self.route(method, path, lambda request: (status, "application/json", json.dumps(body).encode()))

    def html_route(self, path: str, html: str, status: int = 200) -> None:
        self.route("GET", path, lambda request: (status, "text/html; charset=utf-8", html.encode()))


@contextmanager
def fake_server() -> Iterator[FakeServer]:
    server_state = FakeServer(port=0)

    class RequestHandler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            request = Request(
                self.command, parts.path, parse_qs(parts.query), dict(self.headers), self.rfile.read(length)
            )
            server_state.requests.append(request)
            handler = server_state.routes.get((self.command, parts.path))
            status, content_type, body = handler(request) if handler else (404, "text/plain", b"not found")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _handle

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), RequestHandler)
    server_state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
