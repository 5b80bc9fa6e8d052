"""The safe fetcher: SSRF guard on every hop, pinned addresses, bounded bodies, correct decoding."""

import socket

import pytest

from prospecting.core import fetch as fetch_module
from prospecting.core.fetch import BlockedAddressError, FetchError, SafeFetcher, address_is_public, decode_body

pytestmark = pytest.mark.django_db

BLOCKED_URLS = [
    "http://127.0.0.1/",
    "http://127.1/",
    "http://2130706433/",  # decimal 127.0.0.1
    "http://0x7f.1/",  # hex
    "http://0177.0.0.1/",  # octal
    "http://localhost/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
    "http://[::ffff:7f00:1]/",
    "http://169.254.169.254/latest/meta-data/",  # cloud metadata
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",  # carrier-grade NAT
    "http://0.0.0.0/",
    "http://[::]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://224.0.0.1/",  # multicast
    "http://240.0.0.1/",  # reserved
    "http://[2002:7f00:1::]/",  # 6to4 wrapping 127.0.0.1
    "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 wrapping 169.254.169.254
]


@pytest.mark.parametrize("url", BLOCKED_URLS)
def test_private_and_special_addresses_are_refused(url, settings):
    settings.ENRICHMENT_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(BlockedAddressError):
        SafeFetcher().fetch(url)


@pytest.mark.parametrize("address", ["8.8.8.8", "80.90.47.1", "2a00:1450:4001:82a::2004"])
def test_public_addresses_are_allowed(address):
    assert address_is_public(address)


def test_setting_allows_private_networks(farm, settings):
    settings.ENRICHMENT_ALLOW_PRIVATE_NETWORKS = True
    result = SafeFetcher().fetch(f"http://127.0.0.1:{farm.http_port}/")
    assert result.status_code == 404  # the farm answers: "no such site" for a bare address


def test_farm_is_refused_without_the_setting(farm, settings):
    settings.ENRICHMENT_ALLOW_PRIVATE_NETWORKS = False
    before = len(farm.hits("wordpress-weber.lu"))
    with pytest.raises(BlockedAddressError):
        SafeFetcher().fetch("https://wordpress-weber.lu/")
    assert len(farm.hits("wordpress-weber.lu")) == before  # refused before connecting


@pytest.fixture
def loopback_1_is_public(monkeypatch, farm, settings):
    """Treat the farm's 127.0.0.1 as a public address while every other private address stays refused,
    so redirects from a 'public' site towards private targets can be exercised."""
    settings.ENRICHMENT_ALLOW_PRIVATE_NETWORKS = False
    real = fetch_module.address_is_public
    monkeypatch.setattr(fetch_module, "address_is_public", lambda a: a == "127.0.0.1" or real(a))
    return farm


@pytest.mark.parametrize("site", ["redirect-to-metadata.lu", "redirect-to-decimal-loopback.lu"])
def test_every_redirect_hop_is_checked(loopback_1_is_public, site):
    with pytest.raises(BlockedAddressError):
        SafeFetcher().fetch(f"http://{site}/")
    assert loopback_1_is_public.hits(site)  # the first hop was fetched, the private one was not


def test_connection_goes_to_the_checked_address_no_second_lookup(loopback_1_is_public, monkeypatch):
    """DNS rebinding: the name answers a public address when checked, a private one afterwards."""
    calls = []
    real_getaddrinfo = socket.getaddrinfo

    def rebinding_getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        if host == "rebind.test":
            address = "127.0.0.1" if calls.count("rebind.test") == 1 else "10.0.0.1"
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_getaddrinfo)
    fetcher = SafeFetcher()
    with fetch_module.resolver_overrides({"*:80": None}):
        pass  # no override for rebind.test: it goes through getaddrinfo
    port = loopback_1_is_public.http_port
    result = fetcher.fetch(f"http://rebind.test:{port}/")
    assert result.status_code == 404  # the farm answered on 127.0.0.1
    assert calls.count("rebind.test") == 1
    with pytest.raises(BlockedAddressError):
        fetcher.fetch(f"http://rebind.test:{port}/")  # the next lookup says 10.0.0.1: refused, not connected


def test_environment_ca_bundle_does_not_override_verification(farm, monkeypatch):
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/bundle.pem")
    monkeypatch.setenv("HTTPS_PROXY", "http://10.9.9.9:3128")
    assert SafeFetcher().fetch("https://wordpress-weber.lu/").status_code == 200


def test_untrusted_certificates_fail_with_tls_error(farm):
    for site in ["expired-cert.lu", "self-signed.lu"]:
        with pytest.raises(FetchError) as excinfo:
            SafeFetcher().fetch(f"https://{site}/")
        assert excinfo.value.kind == "tls"


def test_redirect_cap(farm, settings):
    settings.ENRICHMENT_MAX_REDIRECTS = 10
    with pytest.raises(FetchError) as excinfo:
        SafeFetcher().fetch("http://redirect-loop.lu/")
    assert excinfo.value.kind == "too_many_redirects"


def test_body_is_cut_at_the_size_cap(farm, settings):
    settings.ENRICHMENT_MAX_BYTES = 1024 * 1024
    result = SafeFetcher().fetch("https://huge-page.lu/")
    assert result.truncated
    assert len(result.body) == 1024 * 1024


def test_gzip_bomb_is_inflated_only_up_to_the_cap(farm, settings):
    settings.ENRICHMENT_MAX_BYTES = 512 * 1024
    result = SafeFetcher().fetch("https://gzip-bomb.lu/")
    assert result.truncated
    assert len(result.body) == 512 * 1024


def test_gzip_page_is_decoded(farm):
    result = SafeFetcher().fetch("https://gzip-site.lu/")
    assert "Menuiserie Lentz" in result.text
    assert not result.truncated


def test_latin1_page_is_decoded_from_meta_charset(farm):
    result = SafeFetcher().fetch("http://latin1-cafe.lu/")
    assert "Café de la Gare à Ettelbruck" in result.text


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("é".encode(), "text/html; charset=utf-8", "é"),
        ("é".encode("latin-1"), "text/html; charset=ISO-8859-1", "é"),
        ('<meta charset="windows-1252"><p>\x80</p>'.encode("latin-1"), "text/html", "€"),
        ("€".encode(), "text/html", "€"),
        (b"caf\xe9", "text/html", "café"),  # not UTF-8, no charset: Windows-1252
    ],
)
def test_text_decoding(body, content_type, expected):
    assert expected in decode_body(body, content_type)[0]


def test_dns_failure_and_connection_reset_and_timeout_are_classified(farm):
    fetcher = SafeFetcher()
    for url, kind in [
        ("https://no-such-domain.lu/", "dns"),
        ("https://reset-site.lu/", "connect"),
        ("https://slow-site.lu/", "timeout"),
        ("ftp://example.lu/", "invalid_url"),
    ]:
        with pytest.raises(FetchError) as excinfo:
            fetcher.fetch(url)
        assert excinfo.value.kind == kind, url


def test_real_names_are_kept_for_host_header_and_certificate(farm):
    result = SafeFetcher().fetch("https://www-redirect.lu/")
    assert result.url == "https://www.www-redirect.lu/"
    assert result.redirects == ["https://www-redirect.lu/"]
    assert result.certificate["issuer"] == "Let's Encrypt"
    assert ("https", "www.www-redirect.lu", "/") in farm.hits("www-redirect.lu")


def test_a_forked_child_gets_its_own_fetcher_not_the_parents_pooled_sockets():
    import multiprocessing

    from prospecting.core.fetch import default_fetcher

    default_fetcher().inherited_marker = "parent"  # stands for the parent's pool of open connections
    context = multiprocessing.get_context("fork")
    answers = context.Queue()

    def child():
        answers.put(getattr(default_fetcher(), "inherited_marker", "fresh"))

    try:
        process = context.Process(target=child)
        process.start()
        process.join(timeout=30)
        assert answers.get(timeout=5) == "fresh"
        assert default_fetcher().inherited_marker == "parent"  # the parent keeps its own
    finally:
        del default_fetcher().inherited_marker


def test_fetch_errors_survive_pickling_between_processes():
    import pickle

    from prospecting.core.fetch import BlockedAddressError, FetchError

    error = pickle.loads(pickle.dumps(FetchError("dns", "no such host", "https://gone.lu/")))  # noqa: S301
    assert (type(error), error.kind, str(error), error.url) == (FetchError, "dns", "no such host", "https://gone.lu/")
    blocked = pickle.loads(pickle.dumps(BlockedAddressError("10.0.0.1 is private", "http://x.lu/")))  # noqa: S301
    assert (type(blocked), blocked.kind, blocked.url) == (BlockedAddressError, "blocked", "http://x.lu/")
