"""The farm's servers: one HTTP and one HTTPS listener serving every site by its Host header."""

from __future__ import annotations

import contextlib
import datetime
import gzip
import socket
import ssl
import struct
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import trustme

from tests.farm.sites import SITES, Response, Site


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512


class Farm:
    """Start with `farm_running()`. `resolver_map` maps every farm name to the listeners; names in
    `dns_failures` do not resolve. `ca_path` is the bundle that trusts the farm's (valid) certificates."""

    def __init__(self, sites: dict[str, Site], folder: Path, latency_ms: int = 0) -> None:
        self.sites = sites
        self.latency_ms = latency_ms
        self.requests: list[tuple[str, str, str]] = []  # (scheme, host, path)
        self._lock = threading.Lock()
        self.ca = trustme.CA(organization_name="Let's Encrypt")
        self.untrusted_ca = trustme.CA(organization_name="Untrusted Self-Signed")
        self.ca_path = folder / "farm-ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_path))
        names = sorted({name for host in sites for name in (host, f"www.{host}")})
        self._default_context = self._context(self.ca.issue_cert(*names))
        self._contexts = {}
        past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)
        for host, site in sites.items():
            if site.certificate == "expired":
                cert = self.ca.issue_cert(
                    host, f"www.{host}", not_before=past - datetime.timedelta(days=90), not_after=past
                )
            elif site.certificate == "self_signed":
                cert = self.untrusted_ca.issue_cert(host, f"www.{host}")
            elif site.certificate == "wrong_name":
                cert = self.ca.issue_cert("another-customer.lu", "www.another-customer.lu")
            else:
                continue
            context = self._context(cert)
            self._contexts[host] = self._contexts[f"www.{host}"] = context
        self._default_context.sni_callback = self._select_context
        self.http = _Server(("127.0.0.1", 0), self._handler("http"))
        self.https = _Server(("127.0.0.1", 0), self._handler("https"))
        self.https.socket = self._default_context.wrap_socket(self.https.socket, server_side=True)
        self.http_port = self.http.server_address[1]
        self.https_port = self.https.server_address[1]

    @staticmethod
    def _context(cert: trustme.LeafCert) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        cert.configure_cert(context)
        return context

    def _select_context(self, sock: ssl.SSLSocket, server_name: str | None, _context: ssl.SSLContext) -> None:
        if server_name and server_name in self._contexts:
            sock.context = self._contexts[server_name]

    @property
    def resolver_map(self) -> dict[str, str | None]:
        mapping: dict[str, str | None] = {
            "*:80": f"127.0.0.1:{self.http_port}",
            "*:443": f"127.0.0.1:{self.https_port}",
        }
        for host, site in self.sites.items():
            if site.dns_failure:
                for name in (host, f"www.{host}"):
                    mapping[f"{name}:80"] = mapping[f"{name}:443"] = None
        return mapping

    def start(self) -> None:
        for server in (self.http, self.https):
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def stop(self) -> None:
        for server in (self.http, self.https):
            server.shutdown()
            server.server_close()

    def hits(self, host: str) -> list[tuple[str, str, str]]:
        with self._lock:
            return [hit for hit in self.requests if hit[1] in (host, f"www.{host}")]

    def _record(self, scheme: str, host: str, path: str) -> None:
        with self._lock:
            self.requests.append((scheme, host, path))

    def _handler(self, scheme: str) -> type[BaseHTTPRequestHandler]:
        farm = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "FarmServer"

            def log_message(self, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self.do_GET(head=True)

            def do_GET(self, head: bool = False) -> None:
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                farm._record(scheme, host, self.path)
                apex = host[4:] if host.startswith("www.") else host
                site = farm.sites.get(apex)
                if site is None:
                    self._send(Response(404, {"Content-Type": "text/plain"}, b"no such site on the farm"), head)
                    return
                delay = (site.latency_ms or farm.latency_ms) / 1000
                if delay:
                    time.sleep(delay)
                response = site.respond(scheme=scheme, host=host, path=self.path)
                if response.behaviour == "reset":
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                if response.behaviour == "hang":
                    time.sleep(response.hang_seconds)
                self._send(response, head)

            def _send(self, response: Response, head: bool) -> None:
                body = response.body
                headers = dict(response.headers)
                if response.gzip:
                    body = gzip.compress(body)
                    headers["Content-Encoding"] = "gzip"
                self.send_response(response.status)
                for name, value in headers.items():
                    if isinstance(value, list):
                        for item in value:
                            self.send_header(name, item)
                    else:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(body)

        return Handler


@contextlib.contextmanager
def farm_running(folder: Path, sites: dict[str, Site] | None = None, latency_ms: int = 0) -> Iterator[Farm]:
    farm = Farm(sites or SITES, folder, latency_ms=latency_ms)
    farm.start()
    try:
        yield farm
    finally:
        farm.stop()
