import pytest

from prospecting.core.domains import InvalidDomainError, domain_for_display, normalize_domain


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("example.lu", "example.lu"),
        ("HTTPS://WWW.Example.LU/path", "example.lu"),
        ("http://www.example.lu:8080/a/b?c=d#e", "example.lu"),
        ("  Example.LU.  ", "example.lu"),
        ("//shop.example.lu", "shop.example.lu"),
        ("café.lu", "xn--caf-dma.lu"),
        ("https://www.Müller-Bau.lu/", "xn--mller-bau-q9a.lu"),
        ("www.lu", "www.lu"),
    ],
)
def test_normalize_domain_canonical_form(raw, expected):
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "empty"),
        ("localhost", "top-level"),
        ("192.168.1.10", "IP address"),
        ("exa mple.lu", "spaces"),
        ("-bad-.lu", "invalid label"),
        ("info@example.lu", "e-mail"),
        ("a..lu", "invalid label"),
        ("x" * 64 + ".lu", "invalid label"),
        ("under_score.lu", "invalid label"),
        ("xn--zz.lu", "invalid label"),
    ],
)
def test_normalize_domain_rejects_with_reason(raw, reason):
    with pytest.raises(InvalidDomainError, match=reason):
        normalize_domain(raw)


def test_domain_for_display_shows_unicode():
    assert domain_for_display("xn--caf-dma.lu") == "café.lu"
