"""The one way this product fetches the web: safe against SSRF, bounded in time and size.

* Every hop (the first URL and each redirect) is resolved here, each address is checked (loopback,
  private, link-local incl. cloud metadata, multicast, reserved, unspecified; IPv4 and IPv6, IPv4-mapped
  forms), and the connection is then made to that checked address: the socket layer never does a second
  DNS lookup (no DNS rebinding). URL, Host header and TLS SNI keep the real name, so certificates are
  checked against it.
* `ENRICHMENT_ALLOW_PRIVATE_NETWORKS` lifts the address check (the test suite does, for its local farm);
  `ENRICHMENT_ALLOWED_PRIVATE_ADDRESSES` lifts it for a few "ip:port" only (tests that prove the guard).
* `ENRICHMENT_RESOLVER_OVERRIDES` (or the `resolver_overrides` context manager) maps names to
  addresses, e.g. {"*:443": "127.0.0.1:8443"}, so tests and benchmarks can use realistic domains.
* Redirects are followed by hand (at most ENRICHMENT_MAX_REDIRECTS), bodies are read in small raw chunks
  and decompressed with a bound on the output, so a 1 GB body or a gzip bomb costs at most
  ENRICHMENT_MAX_BYTES of memory.
"""

from __future__ import annotations

import codecs
import contextlib
import ipaddress
import os
import re
import socket
import ssl
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection


class FetchError(Exception):
    """A fetch that produced no usable response. `kind` is one of ERROR_KINDS."""

    # "dns": the name has no address; "resolver": the lookup itself failed (resolver down, timed out, SERVFAIL).
    ERROR_KINDS = ("dns", "resolver", "connect", "timeout", "tls", "too_many_redirects", "blocked", "invalid_url")

    def __init__(self, kind: str, message: str, url: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.url = url

    def __reduce__(self) -> tuple:
        # Pickled by a batch's probe process: rebuilt from its fields, whatever a subclass's __init__ takes.
        return (_restore_fetch_error, (type(self), self.kind, str(self), self.url))


def _restore_fetch_error(cls: type[FetchError], kind: str, message: str, url: str) -> FetchError:
    error = Exception.__new__(cls)
    Exception.__init__(error, message)
    error.kind, error.url = kind, url
    return error


class BlockedAddressError(FetchError):
    def __init__(self, message: str, url: str = "") -> None:
        super().__init__("blocked", message, url)


# --- address policy ---------------------------------------------------------------------------------------

_METADATA_HOSTS = {"metadata.google.internal", "metadata"}


def address_is_public(address: str) -> bool:
    """True when connecting to `address` cannot reach this machine, its network or a cloud metadata service."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if mapped is not None:
            return address_is_public(str(mapped))
        if ip in ipaddress.ip_network("64:ff9b::/96"):  # NAT64 embeds an IPv4 address
            return address_is_public(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


# --- resolution and pinning ---------------------------------------------------------------------------------

_pins: dict[tuple[str, int], tuple[str, int]] = {}
_pins_lock = threading.Lock()


@contextlib.contextmanager
def resolver_overrides(mapping: dict[str, str | None]) -> Iterator[None]:
    """Within the block (this thread and threads it starts after), resolve names through `mapping`.

    Keys are "host:port" or "*:port"; values "ip:port", None for a name that does not resolve, or
    RESOLVER_FAILURE for a lookup that fails (a resolver outage).
    """
    global _context_overrides
    previous = _context_overrides
    _context_overrides = {**(previous or {}), **mapping}
    try:
        yield
    finally:
        _context_overrides = previous


_context_overrides: dict[str, str | None] | None = None
RESOLVER_FAILURE = "resolver-failure"
# getaddrinfo's answers that say the name has no address; any other failure is the resolver's (EAI_AGAIN...).
_NO_ADDRESS_ERRORS = {
    getattr(socket, name) for name in ("EAI_NONAME", "EAI_NODATA", "EAI_ADDRFAMILY") if hasattr(socket, name)
}
_NO_OVERRIDE = object()


def _override_for(host: str, port: int) -> Any:
    mapping = {**getattr(settings, "ENRICHMENT_RESOLVER_OVERRIDES", {}), **(_context_overrides or {})}
    if f"{host}:{port}" in mapping:
        return mapping[f"{host}:{port}"]
    # The wildcard stands for domain names only: never for addresses in any notation (2130706433, 0x7f.1).
    last_label = host.rstrip(".").rpartition(".")[2].lower()
    is_domain_name = "." in host and re.search("[a-z]", last_label) and not last_label.startswith("0x")
    if f"*:{port}" in mapping and is_domain_name:
        return mapping[f"*:{port}"]
    return _NO_OVERRIDE


def _split_address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    return host.strip("[]"), int(port)


def resolve_checked(host: str, port: int) -> tuple[str, int]:
    """Resolve `host` and return the (address, port) to connect to, refusing non-public addresses."""
    override = _override_for(host, port)
    if override is None:
        raise FetchError("dns", f"{host} does not resolve (override)")
    if override == RESOLVER_FAILURE:
        raise FetchError("resolver", f"The DNS lookup of {host} failed (override)")
    if override is not _NO_OVERRIDE:
        candidates = [_split_address(override)]
    else:
        if host.lower().rstrip(".") in _METADATA_HOSTS:
            raise BlockedAddressError(f"{host} is a cloud metadata name")
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except UnicodeError as exc:
            raise FetchError("dns", f"{host} does not resolve ({exc})") from exc
        except socket.gaierror as exc:
            if exc.errno in _NO_ADDRESS_ERRORS:
                raise FetchError("dns", f"{host} does not resolve ({exc})") from exc
            raise FetchError("resolver", f"The DNS lookup of {host} failed ({exc})") from exc
        candidates = [(info[4][0], port) for info in infos]
    allow_private = getattr(settings, "ENRICHMENT_ALLOW_PRIVATE_NETWORKS", False)
    allowed = getattr(settings, "ENRICHMENT_ALLOWED_PRIVATE_ADDRESSES", ())
    for address, target_port in candidates:
        if allow_private or f"{address}:{target_port}" in allowed:
            continue
        if not address_is_public(address):
            raise BlockedAddressError(f"{host} resolves to {address}, a non-public address")
    return candidates[0]


def _pin(host: str, port: int) -> None:
    target = resolve_checked(host, port)
    with _pins_lock:
        _pins[(host.lower(), port)] = target


def _pinned(host: str, port: int) -> tuple[str, int]:
    with _pins_lock:
        target = _pins.get((host.lower(), port))
    if target is None:  # never connect to an address this module did not check
        raise BlockedAddressError(f"{host}:{port} was not resolved through the safe fetcher")
    return target


class _PinnedConnectionMixin:
    def _new_conn(self) -> socket.socket:
        address = _pinned(self.host, self.port)
        try:
            return urllib3_connection.create_connection(
                address, self.timeout, source_address=self.source_address, socket_options=self.socket_options
            )
        except TimeoutError as exc:
            raise ConnectTimeoutError(self, f"Connection to {self.host} timed out") from exc
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc


class _PinnedHTTPConnection(_PinnedConnectionMixin, HTTPConnection):
    pass


class _PinnedHTTPSConnection(_PinnedConnectionMixin, HTTPSConnection):
    pass


class _PinnedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PinnedHTTPConnection


class _PinnedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PinnedHTTPSConnection


class _PinnedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PinnedHTTPPool, "https": _PinnedHTTPSPool}


# --- the fetcher ---------------------------------------------------------------------------------------------


@dataclass
class FetchResult:
    url: str  # final URL after redirects
    status_code: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    text: str
    encoding: str
    truncated: bool
    elapsed_ms: int  # time to first byte of the final response
    total_ms: int
    redirects: list[str] = field(default_factory=list)
    cookies: dict[str, str] = field(default_factory=dict)
    certificate: dict[str, Any] | None = None

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def without_body(self) -> FetchResult:
        """This result without its body and text: what a store step keeps once the page was analysed."""
        return replace(self, body=b"", text="")

    @property
    def is_html(self) -> bool:
        return self.content_type in {"text/html", "application/xhtml+xml", ""}


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.IGNORECASE)


def decode_body(body: bytes, content_type: str) -> tuple[str, str]:
    """Text of a body: charset from the header, else <meta charset>, else UTF-8, else Windows-1252."""
    candidates = []
    match = re.search(r"charset=([\w\-:.]+)", content_type or "", re.IGNORECASE)
    if match:
        candidates.append(match.group(1))
    meta = _META_CHARSET.search(body[:4096])
    if meta:
        candidates.append(meta.group(1).decode("ascii", "ignore"))
    for name in candidates:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        try:
            return body.decode(codec), codec
        except UnicodeDecodeError:
            continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace"), "cp1252"


def _certificate_info(response: requests.Response) -> dict[str, Any] | None:
    try:
        sock = response.raw.connection.sock
        cert = sock.getpeercert() if isinstance(sock, ssl.SSLSocket) else None
    except AttributeError:
        return None
    if not cert:
        return None
    issuer = {key: value for part in cert.get("issuer", ()) for key, value in part}
    subject = {key: value for part in cert.get("subject", ()) for key, value in part}
    return {
        "issuer": issuer.get("organizationName") or issuer.get("commonName", ""),
        "issuer_cn": issuer.get("commonName", ""),
        "subject": subject.get("commonName", ""),
        "not_after": cert.get("notAfter", ""),
    }


class SafeFetcher:
    """A pooled HTTP client for enrichment. Thread-safe; one per process is enough (`default_fetcher`)."""

    def __init__(self) -> None:
        self.session = requests.Session()
        self.session.trust_env = False  # no proxies or CA bundle from the environment
        adapter = _PinnedAdapter(pool_connections=64, pool_maxsize=64, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    @property
    def verify(self) -> str | bool:
        return getattr(settings, "ENRICHMENT_CA_BUNDLE", "") or True

    def fetch(
        self, url: str, *, method: str = "GET", verify: bool | None = None, max_bytes: int | None = None
    ) -> FetchResult:
        """Fetch `url`, following redirects safely; raise FetchError when no response was obtained."""
        max_redirects = settings.ENRICHMENT_MAX_REDIRECTS
        max_bytes = max_bytes or settings.ENRICHMENT_MAX_BYTES
        timeout = (settings.ENRICHMENT_CONNECT_TIMEOUT, settings.ENRICHMENT_READ_TIMEOUT)
        headers = {
            "User-Agent": settings.ENRICHMENT_USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "Accept-Encoding": "gzip, deflate",
            "Accept-Language": "fr,de;q=0.8,en;q=0.7",
        }
        redirects: list[str] = []
        cookies: dict[str, str] = {}
        started = time.perf_counter()
        current = url
        for _ in range(max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in {"http", "https"} or not parts.hostname:
                raise FetchError("invalid_url", f"Cannot fetch {current!r}", current)
            try:
                port = parts.port or (443 if parts.scheme == "https" else 80)
            except ValueError as exc:
                raise FetchError("invalid_url", f"Bad port in {current!r}", current) from exc
            _pin(parts.hostname, port)
            hop_start = time.perf_counter()
            try:
                response = self.session.request(
                    method,
                    current,
                    headers=headers,
                    timeout=timeout,
                    allow_redirects=False,
                    stream=True,
                    verify=self.verify if verify is None else verify,
                )
            except requests.exceptions.SSLError as exc:
                raise FetchError("tls", f"TLS error: {_root_message(exc)}", current) from exc
            except (requests.exceptions.ConnectTimeout, requests.exceptions.ReadTimeout) as exc:
                raise FetchError("timeout", f"Timed out: {_root_message(exc)}", current) from exc
            except requests.exceptions.ConnectionError as exc:
                root = _root(exc)
                if isinstance(root, FetchError):
                    raise root from exc
                if isinstance(root, NameResolutionError):
                    raise FetchError("dns", str(root), current) from exc
                if isinstance(root, (TimeoutError, socket.timeout)):
                    raise FetchError("timeout", f"Timed out: {root}", current) from exc
                raise FetchError("connect", f"Connection failed: {_root_message(exc)}", current) from exc
            except requests.exceptions.RequestException as exc:
                raise FetchError("connect", f"Request failed: {_root_message(exc)}", current) from exc
            ttfb_ms = int((time.perf_counter() - hop_start) * 1000)
            cookies.update(response.cookies.get_dict())
            location = response.headers.get("location")
            if response.is_redirect and location:
                response.close()
                redirects.append(current)
                current = urljoin(current, location)
                continue
            try:
                certificate = _certificate_info(response) if parts.scheme == "https" else None
                body, truncated = _read_bounded(response, max_bytes)
            except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                kind = "timeout" if "timed out" in str(exc).lower() else "connect"
                raise FetchError(kind, f"Reading the response failed: {_root_message(exc)}", current) from exc
            finally:
                response.close()
            text, encoding = decode_body(body, response.headers.get("content-type", ""))
            return FetchResult(
                url=current,
                status_code=response.status_code,
                headers={key.lower(): value for key, value in response.headers.items()},
                body=body,
                text=text,
                encoding=encoding,
                truncated=truncated,
                elapsed_ms=ttfb_ms,
                total_ms=int((time.perf_counter() - started) * 1000),
                redirects=redirects,
                cookies=cookies,
                certificate=certificate,
            )
        raise FetchError("too_many_redirects", f"More than {max_redirects} redirects", url)


def _read_bounded(response: requests.Response, max_bytes: int) -> tuple[bytes, bool]:
    """Read at most `max_bytes` of decoded body; compressed bodies are inflated with an output bound."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    decompressor = None
    if encoding in {"gzip", "x-gzip"}:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        decompressor = zlib.decompressobj()
    chunks: list[bytes] = []
    size = 0
    for raw in response.raw.stream(16 * 1024, decode_content=False):
        if decompressor is None:
            data = raw
        else:
            try:
                data = decompressor.decompress(raw, max_bytes - size + 1)
            except zlib.error:
                if encoding == "deflate" and size == 0:  # raw deflate without zlib header
                    decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
                    data = decompressor.decompress(raw, max_bytes - size + 1)
                else:
                    break
        chunks.append(data)
        size += len(data)
        if size > max_bytes:
            return b"".join(chunks)[:max_bytes], True
    return b"".join(chunks), False


def _root(exc: BaseException) -> BaseException:
    seen = set()
    current: BaseException = exc
    while True:
        nxt = getattr(current, "reason", None) or current.__cause__ or current.__context__
        if nxt is None or id(nxt) in seen or not isinstance(nxt, BaseException):
            return current
        seen.add(id(nxt))
        if isinstance(nxt, FetchError):
            return nxt
        current = nxt


def _root_message(exc: BaseException) -> str:
    return str(_root(exc))[:300]


_default: SafeFetcher | None = None
_default_lock = threading.Lock()


def default_fetcher() -> SafeFetcher:
    global _default
    with _default_lock:
        if _default is None:
            _default = SafeFetcher()
        return _default


def _forget_in_forked_child() -> None:
    """A forked child (a batch's probe process) must not reuse the parent's pooled keep-alive sockets: two
    processes writing requests on one connection would garble both. Locks are renewed too, in case another
    thread held one at the moment of the fork."""
    global _default, _default_lock, _pins_lock
    _default, _default_lock, _pins_lock = None, threading.Lock(), threading.Lock()


os.register_at_fork(after_in_child=_forget_in_forked_child)
